package dev.bakare;

/**
 * A file or directory that could not be backed up or restored, and why.
 *
 * @param path its path (absolute on the backed-up host for backups; inside the snapshot for restores)
 * @param reason what went wrong, such as "permission denied" or "vanished during backup"
 */
public record FileError(String path, String reason) {
  @Override
  public String toString() {
    return path + ": " + reason;
  }
}
