package dev.bakare.internal.tree;

import dev.bakare.internal.concurrent.TaskFailures;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Runs a recursive tree walk (check, list, repair) on a thread whose stack holds {@link Tree#MAX_DEPTH}
 * levels with room to spare: the default 1 MiB stack held about a thousand levels of check's walk, with
 * the cipher's frames at the bottom, and overflowed at random below that bound. Only touched stack pages
 * cost memory.
 */
public final class DeepWalk {
  private static final long STACK_BYTES = 64L << 20;

  private DeepWalk() {}

  /** A walk that may fail with an {@link IOException}. */
  @FunctionalInterface
  public interface Walk<T> {
    @Nullable T run() throws IOException;
  }

  /** Runs {@code walk} on its own thread and waits; its result, or its exception as it was thrown. */
  public static <T> @Nullable T run(String name, Walk<T> walk) throws IOException {
    AtomicReference<@Nullable T> result = new AtomicReference<>();
    AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(null, () -> {
      try {
        result.set(walk.run());
      } catch (IOException | RuntimeException | Error e) {
        // Handed to the caller's thread below, which rethrows it.
        failure.set(e);
      }
    }, name, STACK_BYTES);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      thread.interrupt();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(name + " interrupted");
    }
    Throwable thrown = failure.get();
    if (thrown != null) {
      throw TaskFailures.rethrow(thrown, name);
    }
    return result.get();
  }
}
