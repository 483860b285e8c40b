package dev.bakare.cli;

import java.io.Console;
import org.jspecify.annotations.Nullable;

/**
 * The user's terminal, if there is one: whether to show progress and whether a passphrase may be asked
 * for. An interface so that tests can play an interactive user.
 */
interface Terminal {
  /** Whether a person is at a terminal (progress lines and prompts make sense). */
  boolean isInteractive();

  /**
   * Asks for a secret without echoing it.
   *
   * @return what was typed, or null at end of input or when there is no terminal
   */
  char @Nullable [] readPassword(String prompt);

  /** The process's terminal: {@link System#console()}, which exists only when stdin and stdout are terminals. */
  static Terminal system() {
    Console console = System.console();
    return new Terminal() {
      @Override
      public boolean isInteractive() {
        return console != null;
      }

      @Override
      public char @Nullable [] readPassword(String prompt) {
        return console == null ? null : console.readPassword("%s", prompt);
      }
    };
  }
}
