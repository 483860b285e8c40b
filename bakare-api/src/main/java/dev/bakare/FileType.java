package dev.bakare;

/** The kind of an entry in a snapshot. */
public enum FileType {
  FILE,
  DIRECTORY,
  SYMLINK,
  /** A FIFO, socket or device node: recorded, but not restored. */
  SPECIAL
}
