package dev.bakare.chunking;

/**
 * Chunk size bounds, recorded in the repository config when it is created.
 *
 * @param minSize the smallest chunk (except an input's last)
 * @param averageSize the target average; a power of two for FastCDC
 * @param maxSize the largest chunk
 */
public record ChunkerParameters(int minSize, int averageSize, int maxSize) {
  /** The smallest {@code minSize} accepted. */
  public static final int MIN_SIZE_FLOOR = 64;

  /** The largest {@code maxSize} accepted (64 MiB), which bounds the memory a chunk needs. */
  public static final int MAX_SIZE_CEILING = 64 << 20;

  /** min 256 KiB, average 1 MiB, max 4 MiB. */
  public static final ChunkerParameters DEFAULT = new ChunkerParameters(256 << 10, 1 << 20, 4 << 20);

  public ChunkerParameters {
    if (minSize < MIN_SIZE_FLOOR) {
      throw new IllegalArgumentException("chunk minSize " + minSize + " is below " + MIN_SIZE_FLOOR);
    }
    if (!(minSize <= averageSize && averageSize <= maxSize)) {
      throw new IllegalArgumentException(
          "chunk sizes must satisfy min <= average <= max, got " + minSize + " / " + averageSize + " / " + maxSize);
    }
    if (maxSize > MAX_SIZE_CEILING) {
      throw new IllegalArgumentException("chunk maxSize " + maxSize + " is above " + MAX_SIZE_CEILING);
    }
  }
}
