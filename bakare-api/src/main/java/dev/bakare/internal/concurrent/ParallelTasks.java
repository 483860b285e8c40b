package dev.bakare.internal.concurrent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** One task per item of a list, on a pool of its own, for jobs that work through packs one by one. */
public final class ParallelTasks {
  private ParallelTasks() {}

  /** What is done with one item; may fail with an I/O error, which stops the whole run. */
  @FunctionalInterface
  public interface ItemTask<T> {
    void run(T item) throws IOException;
  }

  /** What the calling thread does after each item is done, in the items' order. */
  @FunctionalInterface
  public interface Progress {
    void itemDone(int done) throws IOException;
  }

  /**
   * Runs {@code task} for every item, on {@code threads} threads named {@code threadName}, or on the caller's
   * thread if {@code threads} is 1, and calls {@code progress} on the caller's thread as items finish, in
   * order. The first failure, in the items' order, is thrown as it was (see {@link TaskFailures}); the tasks
   * still running stop at their next blocking call and none is started after it.
   *
   * @param what what the tasks do, for the message of a failure that is neither an I/O error nor unchecked
   */
  public static <T> void forEach(List<T> items, int threads, String threadName, String what, ItemTask<T> task,
      Progress progress) throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (threads == 1 || items.size() <= 1) {
      for (int i = 0; i < items.size(); i++) {
        task.run(items.get(i));
        progress.itemDone(i + 1);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, items.size()),
        DaemonThreads.named(threadName));
    try {
      List<Future<?>> running = new ArrayList<>(items.size());
      for (T item : items) {
        running.add(pool.submit(() -> {
          task.run(item);
          return null;
        }));
      }
      for (int i = 0; i < running.size(); i++) {
        running.get(i).get();
        progress.itemDone(i + 1);
      }
    } catch (ExecutionException e) {
      throw TaskFailures.rethrow(e.getCause(), what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while " + what);
    } finally {
      // After a failure the other tasks stop at their next blocking call; none touches the result after this.
      pool.shutdownNow();
      Pools.awaitQuietly(pool);
    }
  }
}
