package dev.bakare.chunking;

/**
 * Finds chunk boundaries. A chunker is a pure function of its parameters, its key and the bytes it is
 * shown: the same input always splits the same way, on every machine. Instances are immutable and safe
 * for concurrent use.
 */
public interface Chunker {

  /** The smallest chunk this chunker cuts, except for the last chunk of an input. */
  int minSize();

  /** The largest chunk this chunker cuts. */
  int maxSize();

  /**
   * Returns the length of the chunk that starts at {@code data[offset]}.
   *
   * <p>The caller shows {@code length} bytes starting at {@code offset}. If {@code length >= maxSize()}
   * the result depends only on the first {@code maxSize()} of them. If {@code length < maxSize()}, the
   * caller promises that these are the last bytes of the input, and the chunker may return {@code length}.
   *
   * @return a value in {@code [1, min(length, maxSize())]}
   * @throws IllegalArgumentException if {@code length < 1} or the range lies outside {@code data}
   */
  int nextChunkLength(byte[] data, int offset, int length);
}
