package dev.bakare;

/**
 * How a backup decides that a file is unchanged since the parent snapshot (the newest snapshot of the same
 * host and paths), so that it reuses the stored content instead of reading the file.
 */
public enum ChangeDetection {
  /** Same size, modification time, status change time and inode: the default. */
  STRICT,
  /**
   * Same size and modification time: for file systems whose inode numbers or change times are not stable
   * (some network and FUSE file systems).
   */
  SIZE_AND_MTIME,
  /** Read every file. */
  OFF
}
