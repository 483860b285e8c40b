package dev.bakare.internal.concurrent;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Ending the pools a job started. */
public final class Pools {
  private Pools() {}

  /**
   * Waits up to a minute for a pool that was shut down to finish its tasks, then interrupts them; an
   * interrupt of the caller interrupts them at once and is kept for the caller to see. For the end of a
   * job, whose outcome is decided by then: nothing to report if the tasks take their time stopping.
   */
  public static void awaitQuietly(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
