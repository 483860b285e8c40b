package dev.bakare.chunking.internal;

import dev.bakare.chunking.Chunker;

/** Cuts every {@code size} bytes; the last chunk of an input may be shorter. */
final class FixedSizeChunker implements Chunker {
  private final int size;

  FixedSizeChunker(int size) {
    this.size = size;
  }

  @Override
  public int minSize() {
    return size;
  }

  @Override
  public int maxSize() {
    return size;
  }

  @Override
  public int nextChunkLength(byte[] data, int offset, int length) {
    ChunkRanges.check(data, offset, length);
    return Math.min(length, size);
  }

  @Override
  public String toString() {
    return FixedSizeChunkerFactory.NAME + "(" + size + ")";
  }
}
