package dev.bakare.chunking;

/**
 * Creates chunkers of one algorithm, found by {@link #name()} with {@link java.util.ServiceLoader}
 * (declared in {@code META-INF/services/dev.bakare.chunking.ChunkerFactory} and in {@code module-info}).
 * The name is recorded in the repository config, so an algorithm's output must never change under its
 * name: a new behaviour gets a new name.
 */
public interface ChunkerFactory {

  /** The stable name, such as {@code fastcdc-v1} or {@code fixed-v1}. */
  String name();

  /**
   * Creates a chunker.
   *
   * @param key the repository's secret chunker key (32 bytes); algorithms that do not use a key ignore it
   * @throws IllegalArgumentException if the parameters do not suit the algorithm
   */
  Chunker create(ChunkerParameters parameters, byte[] key);
}
