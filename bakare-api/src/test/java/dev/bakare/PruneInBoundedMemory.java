package dev.bakare;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs in a child JVM for {@link PruneMemoryTest}: prunes a repository twice (mark, then sweep) with the
 * memory limit the JVM's heap is capped at, and prints each result. An OutOfMemoryError ends it with its
 * stack trace, which says what did not fit.
 */
final class PruneInBoundedMemory {
  private PruneInBoundedMemory() {}

  public static void main(String[] args) throws Exception {
    RepositoryOptions options = RepositoryOptions.builder().location(args[0]).configDirectory(Path.of(args[1]))
        .cacheDirectory(Path.of(args[1]).resolveSibling("prune-cache"))
        .memoryLimit(Runtime.getRuntime().maxMemory()).build();
    PruneRequest now = PruneRequest.builder().grace(Duration.ZERO).build();
    try (Repository repository = Repository.open(options)) {
      System.out.println("mark: " + repository.prune(now));
      System.out.println("sweep: " + repository.prune(now));
    }
  }
}
