package dev.bakare;

import java.util.List;

/**
 * What a restore wrote.
 *
 * @param files regular files restored
 * @param directories directories restored
 * @param symlinks symbolic links restored
 * @param bytes bytes of file content restored
 * @param errors entries that could not be restored, with the reason (a damaged pack, a path refused as
 *     unsafe, a file that was not in the backup)
 */
public record RestoreResult(long files, long directories, long symlinks, long bytes, List<FileError> errors) {
  public RestoreResult {
    errors = List.copyOf(errors);
  }

  /** Whether everything selected was restored. */
  public boolean isComplete() {
    return errors.isEmpty();
  }
}
