/** Chunkers for bakare: FastCDC (content-defined, keyed) and fixed-size, found by name. */
module dev.bakare.chunking {
  requires static org.jspecify;

  exports dev.bakare.chunking;

  uses dev.bakare.chunking.ChunkerFactory;
}
