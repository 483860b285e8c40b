package dev.bakare.chunking.internal;

import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.ChunkerFactory;
import dev.bakare.chunking.ChunkerParameters;

/**
 * {@code fastcdc-v1}, the default: keyed, normalized content-defined chunking, defined exactly in {@link
 * FastCdcChunker}. Needs a power-of-two average size and the repository's 32-byte chunker key.
 */
public final class FastCdcChunkerFactory implements ChunkerFactory {
  static final String NAME = "fastcdc-v1";

  /** Called by {@link java.util.ServiceLoader}. */
  public FastCdcChunkerFactory() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Chunker create(ChunkerParameters parameters, byte[] key) {
    return new FastCdcChunker(parameters, key);
  }
}
