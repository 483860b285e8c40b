package dev.bakare.cli;

import dev.bakare.FileError;
import dev.bakare.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows a backup's or restore's progress as one line on stderr, redrawn in place with {@code \r} each time
 * the engine reports (a few times a second), and prints per-file errors as they happen. The line is drawn
 * only for a person at a terminal: in logs and pipes it would be noise.
 */
final class ProgressLine implements ProgressListener, AutoCloseable {
  /** What the operation does with file content: shown after the byte count. */
  enum Kind {
    BACKUP("read"),
    RESTORE("written"),
    /** Lines of its own, through {@link #show}. */
    OTHER("");

    private final String verb;

    Kind(String verb) {
      this.verb = verb;
    }
  }

  private final PrintStream err;
  private final boolean visible;
  private final Kind kind;
  private final boolean printErrors;
  private final long startNanos = System.nanoTime();
  private int shownLength;

  /**
   * @param visible whether to draw the line (stderr is a terminal)
   * @param printErrors whether to print each {@link #onError} as it comes
   */
  ProgressLine(PrintStream err, boolean visible, Kind kind, boolean printErrors) {
    this.err = err;
    this.visible = visible;
    this.kind = kind;
    this.printErrors = printErrors;
  }

  @Override
  public synchronized void onProgress(Progress progress) {
    if (!visible) {
      return;
    }
    StringBuilder line = new StringBuilder()
        .append(Format.count(progress.files(), "file", "files"))
        .append(", ").append(Format.size(progress.bytes())).append(' ').append(kind.verb);
    if (kind == Kind.BACKUP) {
      line.append(", ").append(Format.size(progress.newBytes())).append(" new");
    }
    if (progress.errors() > 0) {
      line.append(", ").append(Format.count(progress.errors(), "error", "errors"));
    }
    show(line.toString());
  }

  /** Draws {@code text} followed by the time so far, in place of the previous line. */
  synchronized void show(String text) {
    if (!visible) {
      return;
    }
    StringBuilder line = new StringBuilder(text)
        .append(", ").append(Format.duration(Duration.ofNanos(System.nanoTime() - startNanos)));
    int length = line.length();
    // Blank out what is left of a longer previous line.
    while (line.length() < shownLength) {
      line.append(' ');
    }
    err.print("\r" + line);
    err.flush();
    shownLength = length;
  }

  @Override
  public synchronized void onError(FileError error) {
    if (printErrors) {
      clear();
      err.println(Format.error(error));
      err.flush();
    }
  }

  /** Removes the progress line, leaving the cursor at the start of an empty line. */
  @Override
  public synchronized void close() {
    clear();
  }

  private void clear() {
    if (shownLength > 0) {
      err.print("\r" + " ".repeat(shownLength) + "\r");
      err.flush();
      shownLength = 0;
    }
  }
}
