package dev.bakare;

/** What a restore does where the target already holds a file of the same name. */
public enum Overwrite {
  /**
   * Never overwrite: if any file the restore would write exists, fail before writing anything, listing
   * the conflicts. Existing directories are merged into.
   */
  NEVER,
  /** Replace existing files whose size or modification time differ; leave the others alone. */
  IF_CHANGED,
  /** Replace existing files. */
  ALWAYS
}
