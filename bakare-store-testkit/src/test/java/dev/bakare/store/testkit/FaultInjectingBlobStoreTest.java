package dev.bakare.store.testkit;

import static dev.bakare.store.testkit.FaultInjectingBlobStore.Operation.DELETE;
import static dev.bakare.store.testkit.FaultInjectingBlobStore.Operation.GET;
import static dev.bakare.store.testkit.FaultInjectingBlobStore.Operation.LIST;
import static dev.bakare.store.testkit.FaultInjectingBlobStore.Operation.PUT;
import static dev.bakare.store.testkit.FaultInjectingBlobStore.Operation.STAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.testkit.FaultInjectingBlobStore.Config;
import dev.bakare.store.testkit.FaultInjectingBlobStore.Interceptor;
import dev.bakare.store.testkit.FaultInjectingBlobStore.Operation;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultInjectingBlobStoreTest {
  private static final BlobName BLOB = BlobName.of("data/ab/abcd");
  private static final BlobName OTHER = BlobName.of("data/cd/cdef");
  private static final long WAIT_SECONDS = 30;

  private final MemoryBlobStore memory = new MemoryBlobStore();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  @Test
  void aFaultBeforeAnOperationLeavesTheStoreUnchanged() throws Exception {
    FaultInjectingBlobStore store = wrap(Config.builder(1).transientBefore(1.0, PUT).build());
    StorageException e = assertThrows(StorageException.class, () -> put(store, BLOB));
    assertTrue(e.isTransient(), "an injected transient fault must be transient: " + e);
    assertTrue(e.getMessage().contains(BLOB.value()) && e.getMessage().contains("did not happen"), e.getMessage());
    assertEquals(Optional.empty(), memory.stat(BLOB), "a fault before the put let it through");
    assertEquals(Optional.empty(), store.stat(BLOB), "stat has no faults configured");
    assertEquals(1, store.injectedFaults());
    assertEquals(1, store.injectedFaults(PUT));
    assertEquals(0, store.injectedFaults(STAT));
  }

  @Test
  void aFaultAfterAnOperationLeavesItsEffect() throws Exception {
    FaultInjectingBlobStore store = wrap(Config.builder(1).transientAfter(1.0, PUT, DELETE).build());
    StorageException e = assertThrows(StorageException.class, () -> put(store, BLOB));
    assertTrue(e.isTransient(), e.toString());
    assertTrue(e.getMessage().contains("took effect"), e.getMessage());
    assertTrue(memory.stat(BLOB).isPresent(), "the put ran, only its answer was lost");
    assertThrows(StorageException.class, () -> store.delete(BLOB));
    assertEquals(Optional.empty(), memory.stat(BLOB), "the delete ran, only its answer was lost");
    assertEquals(2, store.injectedFaults());
  }

  @Test
  void permanentFaultsHitOnlyTheChosenNamesAndOperations() throws Exception {
    FaultInjectingBlobStore store =
        wrap(Config.builder(1).failPermanently(BLOB, GET).failPermanentlyUnder("index/").build());
    put(store, BLOB);
    put(memory, BlobName.of("index/i1"));
    StorageException e = assertThrows(StorageException.class, () -> store.get(BLOB));
    assertFalse(e.isTransient(), "a permanent fault must not be transient: " + e);
    assertTrue(e.getMessage().contains(BLOB.value()), e.getMessage());
    assertThrows(StorageException.class, () -> store.get(BLOB, 0, 1), "a range get is a GET");
    assertTrue(store.stat(BLOB).isPresent(), "only GET of " + BLOB + " was configured to fail");
    put(store, OTHER);
    assertEquals(1, store.get(OTHER).remaining(), "a neighbour of " + BLOB + " must not fail");

    for (String prefix : List.of("", "i", "index/", "index/i")) {
      assertThrows(StorageException.class, () -> store.list(prefix, info -> {}), "a listing that reaches index/");
    }
    store.list("data/", info -> {});
    assertThrows(StorageException.class, () -> store.stat(BlobName.of("index/i1")));
    assertThrows(StorageException.class, () -> put(store, BlobName.of("index/i2")));
    assertEquals(Optional.empty(), memory.stat(BlobName.of("index/i2")), "a permanently failing put ran");
  }

  @Test
  void theSameSeedInjectsTheSameFaults() throws Exception {
    String first = faultPattern(42);
    assertEquals(first, faultPattern(42), "the same seed must replay the same faults");
    assertNotEquals(first, faultPattern(43), "another seed should inject other faults");
    assertTrue(first.contains("b") && first.contains("a"), "both kinds of fault should occur: " + first);
  }

  @Test
  void faultsOccurAtTheConfiguredRate() throws Exception {
    FaultInjectingBlobStore store = wrap(Config.builder(7).transientBefore(0.3, STAT).build());
    int failures = 0;
    for (int i = 0; i < 2000; i++) {
      try {
        store.stat(BLOB);
      } catch (StorageException e) {
        failures++;
      }
    }
    assertTrue(failures > 500 && failures < 700, failures + " of 2000 stats failed at probability 0.3");
    assertEquals(failures, store.injectedFaults(STAT));
  }

  @Test
  void theInterceptorSeesEveryOperationBeforeAndAfter() throws Exception {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    Interceptor recorder =
        new Interceptor() {
          @Override
          public void before(Operation operation, String subject) {
            seen.add("before " + operation + " " + subject);
          }

          @Override
          public void after(Operation operation, String subject, @Nullable Exception failure) {
            seen.add("after " + operation + " " + subject + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
          }
        };
    FaultInjectingBlobStore store = wrap(Config.builder(1).interceptor(recorder).build());
    put(store, BLOB);
    store.get(BLOB);
    store.get(BLOB, 0, 1);
    store.stat(BLOB);
    store.list("data/", info -> {});
    store.delete(BLOB);
    assertThrows(BlobNotFoundException.class, () -> store.get(BLOB));
    String name = BLOB.value();
    assertEquals(
        List.of(
            "before PUT " + name,
            "after PUT " + name,
            "before GET " + name,
            "after GET " + name,
            "before GET " + name,
            "after GET " + name,
            "before STAT " + name,
            "after STAT " + name,
            "before LIST data/",
            "after LIST data/",
            "before DELETE " + name,
            "after DELETE " + name,
            "before GET " + name,
            "after GET " + name + " BlobNotFoundException"),
        seen);
  }

  @Test
  void anInterceptorCanHoldAnActorBeforeAnOperationWhileOthersGoOn() throws Exception {
    Gate gate = new Gate(PUT, true);
    FaultInjectingBlobStore store = wrap(Config.builder(1).interceptor(gate).build());
    Future<?> writer = pool.submit(() -> put(store, BLOB));
    gate.awaitArrival();
    assertEquals(Optional.empty(), store.stat(BLOB), "the held put reached the store");
    put(store, OTHER);
    gate.open();
    writer.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertTrue(memory.stat(BLOB).isPresent(), "the released put did not run");
  }

  @Test
  void anInterceptorCanHoldAnActorAfterTheStoreChanged() throws Exception {
    Gate gate = new Gate(PUT, false);
    FaultInjectingBlobStore store = wrap(Config.builder(1).interceptor(gate).build());
    Future<?> writer = pool.submit(() -> put(store, BLOB));
    gate.awaitArrival();
    assertTrue(store.stat(BLOB).isPresent(), "the put is held after it ran, so its blob is visible");
    assertFalse(writer.isDone(), "the writer must still be held");
    gate.open();
    writer.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void anInterceptorThatThrowsFailsTheOperationWithoutRunningIt() throws Exception {
    StorageException refusal = new StorageException("refused by the test", null, true);
    Interceptor refuser =
        new Interceptor() {
          @Override
          public void before(Operation operation, String subject) throws StorageException {
            throw refusal;
          }
        };
    FaultInjectingBlobStore store = wrap(Config.builder(1).interceptor(refuser).build());
    assertSame(refusal, assertThrows(StorageException.class, () -> put(store, BLOB)));
    assertEquals(Optional.empty(), memory.stat(BLOB));
    assertEquals(0, store.injectedFaults(), "the interceptor's failures are its own, not counted faults");
  }

  @Test
  void interruptingAHeldActorFailsItsOperationAndKeepsTheInterrupt() throws Exception {
    Gate gate = new Gate(PUT, true);
    FaultInjectingBlobStore store = wrap(Config.builder(1).interceptor(gate).build());
    AtomicReference<@Nullable StorageException> failure = new AtomicReference<>();
    AtomicBoolean interruptKept = new AtomicBoolean();
    Thread writer =
        new Thread(() -> {
          try {
            put(store, BLOB);
          } catch (StorageException e) {
            failure.set(e);
            interruptKept.set(Thread.currentThread().isInterrupted());
          }
        });
    writer.start();
    gate.awaitArrival();
    writer.interrupt();
    writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    assertFalse(writer.isAlive(), "the interrupted writer is still held");
    StorageException e = failure.get();
    assertNotNull(e, "the interrupted put did not fail");
    assertInstanceOf(InterruptedException.class, e.getCause(), e.toString());
    assertFalse(e.isTransient(), e.toString());
    assertTrue(interruptKept.get(), "the writer's interrupt flag was cleared");
    assertEquals(Optional.empty(), memory.stat(BLOB), "an interrupted put ran");
  }

  @Test
  void probabilitiesOutsideZeroToOneAreRejected() {
    for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Config.builder(1).transientBefore(p, GET));
      assertTrue(e.getMessage().contains(String.valueOf(p)), e.getMessage());
    }
  }

  @Test
  void aBuiltConfigDoesNotChangeWithItsBuilder() {
    Config.Builder builder = Config.builder(5).transientBefore(0.5, PUT);
    Config config = builder.build();
    builder.transientBefore(1.0, PUT).transientAfter(1.0).failPermanently(BLOB);
    assertEquals(0.5, config.transientBefore(PUT));
    assertEquals(0.0, config.transientAfter(LIST));
    assertFalse(config.failsPermanently(GET, BLOB.value()));
  }

  /** One letter an operation: '.' it succeeded, 'b' a fault before it, 'a' a fault after it. */
  private String faultPattern(long seed) throws StorageException {
    FaultInjectingBlobStore store =
        new FaultInjectingBlobStore(
            new MemoryBlobStore(), Config.builder(seed).transientBefore(0.3).transientAfter(0.2).build());
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      BlobName name = BlobName.of("data/" + (i % 7));
      try {
        switch (i % 4) {
          case 0:
            put(store, name);
            break;
          case 1:
            store.stat(name);
            break;
          case 2:
            store.list("data/", info -> {});
            break;
          default:
            store.delete(name);
            break;
        }
        pattern.append('.');
      } catch (StorageException e) {
        pattern.append(e.getMessage().contains("did not happen") ? 'b' : 'a');
      }
    }
    return pattern.toString();
  }

  private FaultInjectingBlobStore wrap(Config config) {
    return new FaultInjectingBlobStore(memory, config);
  }

  private static Void put(BlobStore store, BlobName name) throws StorageException {
    store.put(name, ByteBuffer.wrap(new byte[] {7}), PutMode.REPLACE);
    return null;
  }

  /** Holds the first thread that reaches one operation, before or after it ran, until opened. */
  private static final class Gate implements Interceptor {
    private final Operation operation;
    private final boolean before;
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);

    Gate(Operation operation, boolean before) {
      this.operation = operation;
      this.before = before;
    }

    @Override
    public void before(Operation operation, String subject) throws InterruptedException {
      if (before) {
        hold(operation);
      }
    }

    @Override
    public void after(Operation operation, String subject, @Nullable Exception failure) throws InterruptedException {
      if (!before) {
        hold(operation);
      }
    }

    private void hold(Operation reached) throws InterruptedException {
      if (reached == operation && arrived.getCount() > 0) {
        arrived.countDown();
        opened.await();
      }
    }

    void awaitArrival() throws InterruptedException {
      assertTrue(arrived.await(WAIT_SECONDS, TimeUnit.SECONDS), "no thread reached " + operation);
    }

    void open() {
      opened.countDown();
    }
  }
}
