package dev.bakare.internal.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for bakare's pools: daemons, so that a caller that forgets to close a repository still lets its
 * JVM exit, and named {@code name-1}, {@code name-2}, ... so that a thread dump or a profile says whose they
 * are.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Daemon threads named {@code name-N}, with the JVM's default stack size. */
  public static ThreadFactory named(String name) {
    return named(name, 0);
  }

  /** @param stackBytes the threads' stack size, or 0 for the JVM's default */
  public static ThreadFactory named(String name, long stackBytes) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(null, runnable, name + "-" + counter.incrementAndGet(), stackBytes);
      t.setDaemon(true);
      return t;
    };
  }
}
