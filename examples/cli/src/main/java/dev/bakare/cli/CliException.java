package dev.bakare.cli;

/** A failure the CLI itself detects, with the exit code it ends with and a message for the user. */
final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  /** The command line is wrong: exit code {@value Main#USAGE}. */
  static CliException usage(String message) {
    return new CliException(message, Main.USAGE);
  }

  /** The command could not do its work: exit code {@value Main#FAILURE}. */
  static CliException failure(String message) {
    return new CliException(message, Main.FAILURE);
  }

  int exitCode() {
    return exitCode;
  }
}
