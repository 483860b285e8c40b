package dev.bakare.chunking.internal;

/** Argument checks shared by the chunkers, worded as {@link dev.bakare.chunking.Chunker} promises. */
final class ChunkRanges {
  private ChunkRanges() {}

  /** Throws {@link IllegalArgumentException} unless {@code [offset, offset + length)} is a non-empty range of {@code data}. */
  static void check(byte[] data, int offset, int length) {
    if (length < 1) {
      throw new IllegalArgumentException("chunker was shown " + length + " bytes; pass at least one byte");
    }
    if (offset < 0 || offset > data.length - length) {
      throw new IllegalArgumentException(
          "chunker range [" + offset + ", " + offset + " + " + length + ") lies outside the " + data.length
              + "-byte array");
    }
  }
}
