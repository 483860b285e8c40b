package dev.bakare;

import java.util.List;

/**
 * What {@link Repository#repairSnapshots(boolean, boolean)} did.
 *
 * @param repaired one entry per damaged snapshot
 * @param sound snapshots that needed no repair
 */
public record SnapshotRepairResult(List<Repaired> repaired, long sound) {
  public SnapshotRepairResult {
    repaired = List.copyOf(repaired);
  }

  /**
   * A damaged snapshot and the new snapshot that keeps what is still readable.
   *
   * @param original the damaged snapshot
   * @param replacement the new snapshot
   * @param lost files and directories that could not be kept, with why
   * @param originalForgotten whether the damaged snapshot was forgotten
   */
  public record Repaired(SnapshotId original, SnapshotId replacement, List<FileError> lost, boolean originalForgotten) {
    public Repaired {
      lost = List.copyOf(lost);
    }
  }
}
