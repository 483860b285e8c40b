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
   * <p>The caller shows {@code length} bytes starting at {@code offset}: the rest of the input, or only
   * the next part of it. If {@code length >= maxSize()} the result depends only on the first {@code
   * maxSize()} of them. A result below {@code length} must be the same for every input that starts with
   * the bytes shown: a cut found is final, and a caller keeps no more than the largest chunk and some
   * reading room in memory. A result of {@code length} (no cut before the end of the bytes shown) the
   * caller takes as the chunk only at the end of the input; otherwise it shows these bytes again with
   * more. A chunker that scans forward for the first qualifying cut, as content-defined chunkers do, has
   * this property by construction.
   *
   * @return a value in {@code [1, min(length, maxSize())]}
   * @throws IllegalArgumentException if {@code length < 1} or the range lies outside {@code data}
   */
  int nextChunkLength(byte[] data, int offset, int length);
}
