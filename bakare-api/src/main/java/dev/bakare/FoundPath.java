package dev.bakare;

import java.util.List;
import java.util.Objects;

/**
 * A path {@link Repository#find} found, with every version of it in the snapshots searched.
 *
 * @param path its absolute path inside the snapshots, such as {@code /home/me/docs/report.xlsx}
 * @param score how well it matches the pattern; higher is better. Fuzzy patterns score by matched
 *     characters and where they stand (see {@link FindQuery.Mode#FUZZY}); globs and regular expressions
 *     score 0
 * @param versions its versions, oldest first, one per snapshot that holds it
 */
public record FoundPath(String path, int score, List<FoundVersion> versions) {
  public FoundPath {
    Objects.requireNonNull(path, "path");
    versions = List.copyOf(versions);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("a found path has at least one version");
    }
  }

  /** The version in the newest snapshot. */
  public FoundVersion latest() {
    return versions.get(versions.size() - 1);
  }

  /** The file name: the last segment of the path. */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
