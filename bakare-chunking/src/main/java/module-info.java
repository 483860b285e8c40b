/** Chunkers for bakare: FastCDC (content-defined, keyed) and fixed-size, found by name. */
module dev.bakare.chunking {
  requires static org.jspecify;

  exports dev.bakare.chunking;

  uses dev.bakare.chunking.ChunkerFactory;

  provides dev.bakare.chunking.ChunkerFactory with
      dev.bakare.chunking.internal.FastCdcChunkerFactory,
      dev.bakare.chunking.internal.FixedSizeChunkerFactory;
}
