package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Holds the first storage operation that matches, before it runs or after it returned, until resumed: a
 * test freezes one repository instance at a chosen step while others act, as a suspended process is frozen.
 */
final class PauseAt implements FaultInjectingBlobStore.Interceptor {
  private final FaultInjectingBlobStore.Operation operation;
  private final String subjectPrefix;
  private final String subjectSuffix;
  private final boolean afterIt;
  private final CountDownLatch paused = new CountDownLatch(1);
  private final CountDownLatch resumed = new CountDownLatch(1);

  private PauseAt(FaultInjectingBlobStore.Operation operation, String prefix, String suffix, boolean afterIt) {
    this.operation = operation;
    this.subjectPrefix = prefix;
    this.subjectSuffix = suffix;
    this.afterIt = afterIt;
  }

  /** Pauses before the first {@code operation} on a subject that starts and ends as given. */
  static PauseAt before(FaultInjectingBlobStore.Operation operation, String prefix, String suffix) {
    return new PauseAt(operation, prefix, suffix, false);
  }

  /** Pauses after the first {@code operation} on exactly {@code subject} returned. */
  static PauseAt after(FaultInjectingBlobStore.Operation operation, String subject) {
    return new PauseAt(operation, subject, subject, true);
  }

  /** {@code store} seen through this pause. */
  FaultInjectingBlobStore wrap(BlobStore store) {
    return new FaultInjectingBlobStore(store, FaultInjectingBlobStore.Config.builder(1).interceptor(this).build());
  }

  @Override
  public void before(FaultInjectingBlobStore.Operation op, String subject) throws InterruptedException {
    if (!afterIt) {
      pauseIfMatching(op, subject);
    }
  }

  @Override
  public void after(FaultInjectingBlobStore.Operation op, String subject, @Nullable Exception failure)
      throws InterruptedException {
    if (afterIt) {
      pauseIfMatching(op, subject);
    }
  }

  private void pauseIfMatching(FaultInjectingBlobStore.Operation op, String subject) throws InterruptedException {
    boolean matches = op == operation && subject.startsWith(subjectPrefix) && subject.endsWith(subjectSuffix)
        && (!afterIt || subject.equals(subjectPrefix));
    if (matches && paused.getCount() > 0) {
      paused.countDown();
      resumed.await();
    }
  }

  /** Waits until the paused instance reached the operation (a hang guard: a minute). */
  void awaitPaused(String what) throws InterruptedException {
    assertTrue(paused.await(60, TimeUnit.SECONDS), "never reached the pause: " + what);
  }

  void resume() {
    resumed.countDown();
  }

  /** A job on a repository instance, run on another thread so that it can be paused. */
  interface Job<T> {
    T run() throws IOException;
  }

  static <T> CompletableFuture<T> inBackground(Job<T> job) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return job.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
