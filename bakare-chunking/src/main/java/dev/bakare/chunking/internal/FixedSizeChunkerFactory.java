package dev.bakare.chunking.internal;

import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.ChunkerFactory;
import dev.bakare.chunking.ChunkerParameters;

/**
 * {@code fixed-v1}: chunks of exactly {@link ChunkerParameters#averageSize()} bytes, the last chunk of an
 * input shorter. The chunker's minimum and maximum are both that size; the parameters' own minimum and
 * maximum are not used, and neither is the key. Boundaries shift with every insertion, so this only suits
 * data that is rewritten in place, such as disk images.
 */
public final class FixedSizeChunkerFactory implements ChunkerFactory {
  static final String NAME = "fixed-v1";

  /** Called by {@link java.util.ServiceLoader}. */
  public FixedSizeChunkerFactory() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Chunker create(ChunkerParameters parameters, byte[] key) {
    return new FixedSizeChunker(parameters.averageSize());
  }
}
