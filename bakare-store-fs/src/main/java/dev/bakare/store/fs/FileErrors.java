package dev.bakare.store.fs;

import dev.bakare.store.spi.StorageException;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Turns {@link IOException}s into {@link StorageException}s that say what failed, where, and what to do.
 *
 * <p>Transient or not: a condition that a retry within seconds or minutes cannot cure is permanent
 * (permission, a full or read-only file system, a quota, a name the file system refuses, a file or
 * directory in the way, an interrupt). Every other I/O error is transient: on a local disk it is most
 * likely a real fault that retries will not cure, but the same errors come from network mounts (NFS,
 * SMB) that recover, and a put or delete here is safe to repeat, so the caller's retry policy and
 * deadline decide. The JDK reports most errno values only as the C library's message text; that text is
 * what is matched below, and a message in another language falls back to transient.
 */
final class FileErrors {
  private FileErrors() {}

  /** A condition no retry cures: its strerror text and what the user can do. */
  private record Permanent(String text, String problem, String advice) {}

  private static final List<Permanent> PERMANENT =
      List.of(
          new Permanent(
              "No space left on device",
              "no space left on device",
              "free space on that file system or move the repository"),
          new Permanent(
              "Disk quota exceeded", "disk quota exceeded", "raise the quota or free space on that file system"),
          new Permanent(
              "Read-only file system",
              "read-only file system",
              "mount the file system read-write to write to the repository"),
          new Permanent(
              "File too large", "file too large for the file system", "move the repository to a file system that holds larger files"),
          new Permanent(
              "File name too long",
              "name too long for the file system",
              "move the repository to a shorter path or a file system that allows longer names"),
          new Permanent(
              "Too many levels of symbolic links",
              "symbolic link loop",
              "fix the symbolic links inside the repository directory"),
          new Permanent(
              "Not a directory", "a file is in the way", "a blob cannot be stored below another blob's name"),
          new Permanent(
              "Is a directory", "a directory is in the way", "a blob cannot have the name of a directory of blobs"));

  /**
   * The storage exception for {@code e}, which happened while doing {@code action} (such as "writing blob
   * data/ab/abcd at /repo/data/ab/abcd"); {@code root} is the repository directory, for advice.
   */
  static StorageException of(String action, Path root, IOException e) {
    if (e instanceof StorageException) {
      return (StorageException) e;
    }
    if (e instanceof AccessDeniedException) {
      return new StorageException(
          "permission denied " + action + ": check the owner and mode of the repository directory " + root + " and of what it holds",
          e);
    }
    if (e instanceof ClosedByInterruptException) {
      return new StorageException("interrupted " + action + ": the operation was abandoned", e);
    }
    if (e instanceof FileAlreadyExistsException
        || e instanceof NotDirectoryException
        || e instanceof DirectoryNotEmptyException) {
      return new StorageException(
          "cannot go on " + action + ": " + pathOf(e) + " is in the way (a blob cannot be stored where another blob or a"
              + " directory of blobs is): remove it if it does not belong to the repository",
          e);
    }
    String reason = reasonOf(e);
    for (Permanent permanent : PERMANENT) {
      if (reason.toLowerCase(Locale.ROOT).contains(permanent.text().toLowerCase(Locale.ROOT))) {
        return new StorageException(permanent.problem() + " " + action + ": " + permanent.advice(), e);
      }
    }
    return new StorageException(
        "I/O error "
            + action
            + " ("
            + reason
            + "): retrying may help; if it persists, check the disk or the mount holding "
            + root,
        e,
        true);
  }

  private static String reasonOf(IOException e) {
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String pathOf(IOException e) {
    if (e instanceof FileSystemException && ((FileSystemException) e).getFile() != null) {
      return ((FileSystemException) e).getFile();
    }
    return "a file or directory";
  }
}
