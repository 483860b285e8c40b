package dev.bakare;

/**
 * Receives progress of a backup or restore. Calls come from worker threads, at most a few times a second
 * for {@link #onProgress}; implementations must be quick and thread-safe.
 */
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = new ProgressListener() {};

  /**
   * Totals so far.
   *
   * @param files files finished
   * @param bytes bytes of those files read (backup) or written (restore)
   * @param newBytes bytes that had to be stored because the repository lacked them (backup only)
   * @param errors files that failed
   */
  record Progress(long files, long bytes, long newBytes, long errors) {}

  default void onProgress(Progress progress) {}

  /** A file failed; the operation goes on with the others. */
  default void onError(FileError error) {}
}
