package dev.bakare.internal.concurrent;

import java.io.IOException;

/** The failure of a task run on another thread, passed on to the thread waiting for it. */
public final class TaskFailures {
  private TaskFailures() {}

  /**
   * Throws {@code cause} as what it is: an {@link IOException}, an unchecked exception or an error. Any
   * other checked exception (a task that declares more than it should) becomes an {@link
   * IllegalStateException} saying that {@code what} failed. Declared to return an exception so that callers
   * can write {@code throw TaskFailures.rethrow(...)}.
   */
  public static IOException rethrow(Throwable cause, String what) throws IOException {
    if (cause instanceof IOException io) {
      throw io;
    }
    if (cause instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    throw new IllegalStateException(what + " failed: " + cause, cause);
  }
}
