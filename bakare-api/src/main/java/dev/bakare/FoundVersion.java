package dev.bakare;

import java.time.Instant;
import java.util.Objects;

/**
 * One snapshot's version of a path {@link Repository#find} found.
 *
 * @param snapshot the snapshot holding it
 * @param snapshotTime when that backup started
 * @param host the host that backup ran on
 * @param type what the entry is in that snapshot
 * @param size its length in bytes (files; 0 for others)
 * @param mtime its last modification time as backed up
 * @param change how its content compares with the path's previous version among the snapshots searched
 */
public record FoundVersion(
    SnapshotId snapshot, Instant snapshotTime, String host, FileType type, long size, Instant mtime, Change change) {

  public FoundVersion {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(snapshotTime, "snapshotTime");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mtime, "mtime");
    Objects.requireNonNull(change, "change");
  }

  /**
   * How a version's content compares with the previous one. Content is compared by the list of chunks the
   * snapshot stores for it, so a file touched without changes is {@link #UNCHANGED}, and no data is read.
   */
  public enum Change {
    /** The oldest version among the snapshots searched. */
    FIRST,
    /** The content (or the kind of entry) differs from the previous version. */
    CHANGED,
    /** The same content as the previous version. */
    UNCHANGED
  }
}
