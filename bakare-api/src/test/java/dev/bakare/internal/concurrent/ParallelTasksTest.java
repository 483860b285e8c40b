package dev.bakare.internal.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelTasksTest {
  private static final List<Integer> ITEMS = IntStream.range(0, 20).boxed().toList();

  @Test
  void everyItemIsDoneOnTheThreadsAskedForAndProgressComesInOrderOnTheCaller() throws Exception {
    Set<Integer> done = ConcurrentHashMap.newKeySet();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch bothRunning = new CountDownLatch(2);
    List<Integer> progress = new ArrayList<>();
    Thread caller = Thread.currentThread();
    ParallelTasks.forEach(ITEMS, 2, "test-worker", "testing", item -> {
      if (item < 2) {
        // The first two items wait for each other: they can only finish if they run at once.
        bothRunning.countDown();
        try {
          assertTrue(bothRunning.await(10, TimeUnit.SECONDS), "two items ran at once");
        } catch (InterruptedException e) {
          throw new InterruptedIOException("interrupted");
        }
      }
      threads.add(Thread.currentThread().getName());
      done.add(item);
    }, n -> {
      assertSame(caller, Thread.currentThread());
      progress.add(n);
    });
    assertEquals(Set.copyOf(ITEMS), done);
    assertEquals(IntStream.rangeClosed(1, 20).boxed().toList(), progress);
    assertEquals(2, threads.size());
    assertTrue(threads.stream().allMatch(name -> name.startsWith("test-worker")), threads.toString());
  }

  @Test
  void oneThreadWorksOnTheCallersThread() throws IOException {
    Thread caller = Thread.currentThread();
    List<Integer> done = new ArrayList<>();
    ParallelTasks.forEach(ITEMS, 1, "unused", "testing", item -> {
      assertSame(caller, Thread.currentThread());
      done.add(item);
    }, n -> { });
    assertEquals(ITEMS, done);
  }

  @Test
  void theFirstFailureInTheItemsOrderIsThrownAsItWas() {
    IOException broken = new IOException("pack 7 unreadable");
    IOException thrown = assertThrows(IOException.class, () -> ParallelTasks.forEach(ITEMS, 3, "test-worker",
        "testing", item -> {
          if (item == 7) {
            throw broken;
          }
          if (item == 12) {
            throw new IOException("a later failure");
          }
        }, n -> { }));
    assertSame(broken, thrown);
    IllegalStateException bug = new IllegalStateException("a bug");
    assertSame(bug, assertThrows(IllegalStateException.class, () -> ParallelTasks.forEach(ITEMS, 2,
        "test-worker", "testing", item -> {
          throw bug;
        }, n -> { })));
  }
}
