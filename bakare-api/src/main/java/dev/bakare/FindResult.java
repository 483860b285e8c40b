package dev.bakare;

import java.util.List;

/**
 * What {@link Repository#find} found.
 *
 * @param best the best {@link FindQuery#limit()} matches, best first: by score, then shorter path, then path
 * @param matches how many paths matched in all
 * @param snapshotsSearched how many snapshots were searched (those the query selects)
 * @param snapshotsIndexed how many of them had to be added to the local name index first
 * @param warnings what the search could not use: damaged snapshots or trees it skipped, a name index cache
 *     it rebuilt or could not write
 */
public record FindResult(
    List<FoundPath> best, long matches, int snapshotsSearched, int snapshotsIndexed, List<String> warnings) {
  public FindResult {
    best = List.copyOf(best);
    warnings = List.copyOf(warnings);
  }

  /** Whether more paths matched than {@link #best()} holds. */
  public boolean isTruncated() {
    return matches > best.size();
  }
}
