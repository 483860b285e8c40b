package dev.bakare;

import java.util.List;

/**
 * What a forget kept and removed (or, for a dry run, would remove). Forgetting deletes snapshots only;
 * {@link Repository#prune} reclaims the space their data took.
 *
 * @param kept snapshots the policy keeps, with the reasons
 * @param removed snapshots forgotten
 * @param dryRun whether nothing was changed
 */
public record ForgetResult(List<Kept> kept, List<Snapshot> removed, boolean dryRun) {
  public ForgetResult {
    kept = List.copyOf(kept);
    removed = List.copyOf(removed);
  }

  /**
   * A kept snapshot and the rules that keep it ({@code last}, {@code daily}, {@code within}, {@code tag
   * nightly}, ...).
   */
  public record Kept(Snapshot snapshot, List<String> reasons) {
    public Kept {
      reasons = List.copyOf(reasons);
    }
  }
}
