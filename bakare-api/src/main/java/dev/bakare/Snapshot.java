package dev.bakare;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A committed backup: when, where and what, and its statistics.
 *
 * <p>With a write key, {@link #paths()} and {@link #errors()} are empty, because they name files and are
 * sealed for the full key; {@link #stats()} and {@link #isPartial()} are still accurate.
 *
 * @param id the snapshot's id
 * @param time when the backup started
 * @param host the host it ran on
 * @param username the user it ran as
 * @param tags tags given to the backup
 * @param paths the absolute paths backed up
 * @param parent the snapshot it was compared against for change detection, if any
 * @param stats what it saw and added
 * @param errors files that could not be backed up
 */
public record Snapshot(
    SnapshotId id,
    Instant time,
    String host,
    String username,
    List<String> tags,
    List<String> paths,
    @Nullable SnapshotId parent,
    SnapshotStats stats,
    List<FileError> errors) {

  public Snapshot {
    tags = List.copyOf(tags);
    paths = List.copyOf(paths);
    errors = List.copyOf(errors);
  }

  /** Whether some files could not be read, so the snapshot lacks them (CLI exit code 3). */
  public boolean isPartial() {
    return stats.errorCount() > 0;
  }

  public Optional<SnapshotId> parentId() {
    return Optional.ofNullable(parent);
  }
}
