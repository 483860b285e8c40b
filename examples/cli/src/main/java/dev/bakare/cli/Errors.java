package dev.bakare.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** Turns exceptions into the one-line messages the CLI prints after {@code bakare: }. */
final class Errors {
  private Errors() {}

  /**
   * What went wrong, for a person. Engine and storage exceptions carry complete messages; the JDK's file
   * system exceptions carry only a path, so they get the reason spelled out.
   */
  static String describe(Throwable t) {
    if (t instanceof UncheckedIOException && t.getCause() != null) {
      return describe(t.getCause());
    }
    if (t instanceof FileSystemException e) {
      return describeFileSystem(e);
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      Throwable cause = t.getCause();
      return cause != null && cause != t ? describe(cause) : t.getClass().getSimpleName();
    }
    if (t instanceof RuntimeException && !(t instanceof IllegalArgumentException)) {
      // Not a failure the user caused or can read much into: say so, and how to report it.
      return "internal error: " + t.getClass().getName() + ": " + message
          + " (run again with --debug for the stack trace, and report it)";
    }
    return message;
  }

  private static String describeFileSystem(FileSystemException e) {
    String reason = e.getReason();
    if (reason == null) {
      if (e instanceof NoSuchFileException) {
        reason = "no such file or directory";
      } else if (e instanceof AccessDeniedException) {
        reason = "permission denied";
      } else if (e instanceof FileAlreadyExistsException) {
        reason = "already exists";
      } else if (e instanceof NotDirectoryException) {
        reason = "not a directory";
      } else if (e instanceof DirectoryNotEmptyException) {
        reason = "directory not empty";
      } else if (e instanceof NotLinkException) {
        reason = "not a symbolic link";
      } else {
        reason = "file system error (" + e.getClass().getSimpleName() + ")";
      }
    }
    String file = e.getFile();
    String other = e.getOtherFile();
    StringBuilder out = new StringBuilder();
    if (file != null) {
      out.append(file);
      if (other != null) {
        out.append(" -> ").append(other);
      }
      out.append(": ");
    }
    return out.append(reason).toString();
  }
}
