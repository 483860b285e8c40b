package dev.bakare.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.ForwardingBlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StagedBlob;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryingBlobStoreTest {
  private static final BlobName NAME = BlobName.of("data/ab/abcd");

  /** When a scripted failure strikes: before the operation reaches the store, or after it took effect. */
  private enum When {
    BEFORE,
    AFTER
  }

  private record Fault(When when, boolean transientFailure) {}

  /** Fails the next operations as scripted, then passes everything to a memory store. */
  private static final class ScriptedStore extends ForwardingBlobStore {
    final Deque<Fault> faults = new ArrayDeque<>();
    int calls;

    ScriptedStore() {
      super(new MemoryBlobStore());
    }

    ScriptedStore fail(int times, When when, boolean transientFailure) {
      for (int i = 0; i < times; i++) {
        faults.add(new Fault(when, transientFailure));
      }
      return this;
    }

    private void maybeFail(When when) throws StorageException {
      Fault next = faults.peek();
      if (next != null && next.when() == when) {
        faults.poll();
        throw new StorageException("scripted " + (next.transientFailure() ? "transient" : "permanent") + " failure",
            null, next.transientFailure());
      }
    }

    private <T> T run(StoreCall<T> call) throws StorageException {
      calls++;
      maybeFail(When.BEFORE);
      T result = call.call();
      maybeFail(When.AFTER);
      return result;
    }

    @Override
    public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
      run(() -> {
        super.put(name, content, mode);
        return null;
      });
    }

    @Override
    public ByteBuffer get(BlobName name) throws StorageException {
      return run(() -> super.get(name));
    }

    @Override
    public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
      run(() -> {
        super.list(prefix, consumer);
        return null;
      });
    }

    @Override
    public void delete(BlobName name) throws StorageException {
      run(() -> {
        super.delete(name);
        return null;
      });
    }

    /** Stages blobs in files in {@code directory}; publishing one puts its bytes, under the script. */
    @Nullable Path stagingDirectory;

    @Override
    public Optional<StagedBlob> stage() throws StorageException {
      Path directory = stagingDirectory;
      if (directory == null) {
        return Optional.empty();
      }
      try {
        FileChannel file = FileChannel.open(Files.createTempFile(directory, "staged-", ""),
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        return Optional.of(new StagedBlob() {
          @Override
          public FileChannel channel() {
            return file;
          }

          @Override
          public void publish(BlobName name, PutMode mode) throws StorageException {
            try {
              ByteBuffer bytes = ByteBuffer.allocate((int) file.size());
              file.read(bytes, 0);
              put(name, bytes.flip(), mode);
            } catch (StorageException e) {
              throw e;
            } catch (java.io.IOException e) {
              throw new StorageException("reading the staged file failed", e);
            }
          }

          @Override
          public void close() throws StorageException {
            try {
              file.close();
            } catch (java.io.IOException e) {
              throw new StorageException("closing the staged file failed", e);
            }
          }
        });
      } catch (java.io.IOException e) {
        throw new StorageException("staging failed", e);
      }
    }
  }

  @FunctionalInterface
  private interface StoreCall<T> {
    T call() throws StorageException;
  }

  private final FakeTiming clock = new FakeTiming(0.999);

  private RetryingBlobStore retrying(BlobStore store, RetryPolicy policy) {
    return new RetryingBlobStore(store, policy, clock.timing());
  }

  @Test
  void transientFailuresAreRetriedWithDoublingCappedBackoffAndCounted() throws Exception {
    ScriptedStore store = new ScriptedStore().fail(6, When.BEFORE, true);
    RetryPolicy policy =
        RetryPolicy.builder().initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(1000)).build();
    RetryingBlobStore retrying = retrying(store, policy);

    retrying.put(NAME, ByteBuffer.wrap(new byte[] {1, 2}), PutMode.REPLACE);

    assertEquals(7, store.calls, "six failed attempts and the one that worked");
    assertEquals(6, retrying.retries(RetryingBlobStore.Operation.PUT));
    assertEquals(6, retrying.retries());
    assertEquals(0, retrying.retries(RetryingBlobStore.Operation.GET));
    List<Long> millis = new ArrayList<>();
    for (Duration sleep : clock.sleeps) {
      millis.add(sleep.toMillis());
    }
    // Full jitter draws below the bound; the fake draws 0.999 of it: 100, 200, 400, 800, then the cap.
    assertEquals(List.of(99L, 199L, 399L, 799L, 999L, 999L), millis);
    assertArrayEquals(new byte[] {1, 2}, bytes(retrying.get(NAME)));
    assertTrue(retrying.summary().contains("put 6"), retrying.summary());
  }

  @Test
  void aReadCutMidwayIsRetriedFromTheStartOfTheCallersBuffer() throws Exception {
    byte[] content = new byte[100];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) i;
    }
    MemoryBlobStore memory = new MemoryBlobStore();
    memory.put(NAME, ByteBuffer.wrap(content), PutMode.CREATE_ONLY);
    int[] attempts = {0};
    BlobStore cutOnce = new ForwardingBlobStore(memory) {
      @Override
      public void read(BlobName name, long offset, ByteBuffer into) throws StorageException {
        if (attempts[0]++ == 0) {
          // A transfer cut after some bytes arrived: they are in the buffer, and its position moved.
          into.put(new byte[] {-1, -1, -1});
          throw new StorageException("connection reset mid-transfer", null, true);
        }
        memory.read(name, offset, into);
      }
    };
    RetryingBlobStore retrying = retrying(cutOnce, RetryPolicy.defaults());
    byte[] target = new byte[30];

    retrying.read(NAME, 40, ByteBuffer.wrap(target, 5, 20));

    assertEquals(2, attempts[0]);
    assertEquals(1, retrying.retries(RetryingBlobStore.Operation.GET));
    byte[] expected = new byte[30];
    System.arraycopy(content, 40, expected, 5, 20);
    assertArrayEquals(expected, target, "the retry overwrote the cut attempt's bytes, and wrote nowhere else");
  }

  @Test
  void permanentFailuresPassThroughAtOnce() throws Exception {
    ScriptedStore store = new ScriptedStore().fail(1, When.BEFORE, false);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());

    StorageException e =
        assertThrows(StorageException.class, () -> retrying.put(NAME, ByteBuffer.wrap(new byte[1]), PutMode.REPLACE));

    assertEquals("scripted permanent failure", e.getMessage());
    assertEquals(1, store.calls);
    assertEquals(0, retrying.retries());
    assertEquals(List.of(), clock.sleeps);
  }

  @Test
  void aPermanentFailureAfterTransientOnesEndsTheRetries() throws Exception {
    ScriptedStore store = new ScriptedStore().fail(2, When.BEFORE, true).fail(1, When.BEFORE, false);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());

    assertThrows(StorageException.class, () -> retrying.delete(NAME));

    assertEquals(3, store.calls);
    assertEquals(2, retrying.retries(RetryingBlobStore.Operation.DELETE));
    assertEquals(1, retrying.gaveUp(RetryingBlobStore.Operation.DELETE));
  }

  @Test
  void aContinuousOutageEndsAfterTheToleranceWithAPermanentError() throws Exception {
    ScriptedStore store = new ScriptedStore().fail(100_000, When.BEFORE, true);
    RetryPolicy policy = RetryPolicy.builder().outageTolerance(Duration.ofMinutes(10)).build();
    RetryingBlobStore retrying = retrying(store, policy);

    StorageException e = assertThrows(StorageException.class, () -> retrying.get(NAME));

    assertFalse(e.isTransient(), "giving up is final: " + e);
    assertTrue(e.getMessage().contains("outage tolerance PT10M"), e.getMessage());
    assertTrue(e.getMessage().contains("blob " + NAME), e.getMessage());
    assertEquals("scripted transient failure", e.getCause().getMessage());
    assertEquals(Duration.ofMinutes(10), clock.slept(), "it waits out the tolerance exactly, not a wait beyond");
    assertEquals(1, retrying.gaveUp(RetryingBlobStore.Operation.GET));
    assertTrue(retrying.retries(RetryingBlobStore.Operation.GET) > 20, retrying.summary());
  }

  @Test
  void anOperationThatKeepsFailingWhileOthersSucceedEndsAtItsDeadline() throws Exception {
    RetryPolicy policy =
        RetryPolicy.builder().operationDeadline(Duration.ofMinutes(2)).outageTolerance(Duration.ofHours(1)).build();
    BlobStore alwaysFailingGets =
        new ForwardingBlobStore(new MemoryBlobStore()) {
          @Override
          public ByteBuffer get(BlobName name) throws StorageException {
            throw new StorageException("cut mid-transfer", null, true);
          }
        };
    RetryingBlobStore retrying = retrying(alwaysFailingGets, policy);

    StorageException e = assertThrows(StorageException.class, () -> retrying.get(NAME));

    assertTrue(e.getMessage().contains("deadline PT2M"), e.getMessage());
    assertEquals(Duration.ofMinutes(2), clock.slept());
  }

  @Test
  void aSuccessEndsTheOutageSoTheToleranceStartsOver() throws Exception {
    Duration wait = Duration.ofMillis(12_500);
    RetryPolicy policy =
        RetryPolicy.builder().initialDelay(wait).maxDelay(wait).outageTolerance(Duration.ofMinutes(1)).build();
    FakeTiming fullWaits = new FakeTiming(1.0);
    ScriptedStore store = new ScriptedStore();
    RetryingBlobStore retrying = new RetryingBlobStore(store, policy, fullWaits.timing());
    for (int round = 0; round < 5; round++) {
      // 50 s of failure, then a success; five rounds are 250 s, far beyond the one-minute tolerance.
      store.fail(4, When.BEFORE, true);
      retrying.put(NAME, ByteBuffer.wrap(new byte[] {(byte) round}), PutMode.REPLACE);
    }
    assertEquals(Duration.ofSeconds(250), fullWaits.slept());
    assertEquals(20, retrying.retries(RetryingBlobStore.Operation.PUT));
    assertArrayEquals(new byte[] {4}, bytes(retrying.get(NAME)));
  }

  @Test
  void aCreateOnlyPutWhoseAnswerWasLostSucceedsOnFindingItsOwnBytes() throws Exception {
    ScriptedStore store = new ScriptedStore().fail(1, When.AFTER, true);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());
    ByteBuffer content = ByteBuffer.wrap(new byte[] {7, 7, 7}).position(1);

    retrying.put(NAME, content, PutMode.CREATE_ONLY);

    assertEquals(1, retrying.createsFoundDone());
    assertEquals(1, retrying.retries(RetryingBlobStore.Operation.PUT));
    assertEquals(1, content.position(), "the caller's buffer is left alone");
    assertArrayEquals(new byte[] {7, 7}, bytes(retrying.get(NAME)));
  }

  @Test
  void aCreateOnlyPutThatFindsSomeoneElsesBlobAfterAFailureStillFails() throws Exception {
    ScriptedStore store = new ScriptedStore();
    store.put(NAME, ByteBuffer.wrap(new byte[] {1}), PutMode.CREATE_ONLY);
    store.fail(1, When.BEFORE, true);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());

    assertThrows(
        BlobAlreadyExistsException.class, () -> retrying.put(NAME, ByteBuffer.wrap(new byte[] {2}), PutMode.CREATE_ONLY));

    assertEquals(0, retrying.createsFoundDone());
    assertArrayEquals(new byte[] {1}, bytes(retrying.get(NAME)));
  }

  @Test
  void aCreateOnlyPutFromAFileWhoseAnswerWasLostSucceedsOnFindingItsOwnBytes(@TempDir Path temp) throws Exception {
    ScriptedStore store = new ScriptedStore().fail(1, When.AFTER, true);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());
    Path file = Files.write(temp.resolve("pack"), new byte[] {7, 8, 9, 10});

    try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
      retrying.putFrom(NAME, source, 3, PutMode.CREATE_ONLY);
    }

    assertEquals(1, retrying.createsFoundDone());
    assertEquals(1, retrying.retries(RetryingBlobStore.Operation.PUT));
    assertArrayEquals(new byte[] {7, 8, 9}, bytes(retrying.get(NAME)));
  }

  @Test
  void aCreateOnlyPutFromAFileThatFindsOtherBytesOfItsLengthAfterAFailureStillFails(@TempDir Path temp)
      throws Exception {
    ScriptedStore store = new ScriptedStore();
    store.put(NAME, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_ONLY);
    store.fail(1, When.BEFORE, true);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());
    Path file = Files.write(temp.resolve("pack"), new byte[] {1, 2, 4});

    try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
      assertThrows(BlobAlreadyExistsException.class, () -> retrying.putFrom(NAME, source, 3, PutMode.CREATE_ONLY));
    }

    assertEquals(0, retrying.createsFoundDone());
    assertArrayEquals(new byte[] {1, 2, 3}, bytes(retrying.get(NAME)));
  }

  @Test
  void publishingAStagedBlobIsRetriedAndALostAnswerIsFoundDone(@TempDir Path temp) throws Exception {
    ScriptedStore store = new ScriptedStore().fail(2, When.BEFORE, true).fail(1, When.AFTER, true);
    store.stagingDirectory = temp;
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());

    try (StagedBlob staged = retrying.stage().orElseThrow()) {
      staged.channel().write(ByteBuffer.wrap(new byte[] {4, 5, 6}), 0);
      staged.publish(NAME, PutMode.CREATE_ONLY);
    }

    assertEquals(3, retrying.retries(RetryingBlobStore.Operation.PUT));
    assertEquals(1, retrying.createsFoundDone(), "the attempt whose answer was lost had stored the blob");
    assertArrayEquals(new byte[] {4, 5, 6}, bytes(retrying.get(NAME)));
  }

  @Test
  void publishingAStagedBlobOverSomeoneElsesBlobAfterAFailureStillFails(@TempDir Path temp) throws Exception {
    ScriptedStore store = new ScriptedStore();
    store.put(NAME, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_ONLY);
    store.fail(1, When.BEFORE, true);
    store.stagingDirectory = temp;
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());

    try (StagedBlob staged = retrying.stage().orElseThrow()) {
      staged.channel().write(ByteBuffer.wrap(new byte[] {1, 2, 4}), 0);
      assertThrows(BlobAlreadyExistsException.class, () -> staged.publish(NAME, PutMode.CREATE_ONLY));
    }

    assertEquals(0, retrying.createsFoundDone());
    assertArrayEquals(new byte[] {1, 2, 3}, bytes(retrying.get(NAME)));
  }

  @Test
  void aCreateOnlyPutOfATakenNameFailsWithoutRetriesOrReads() throws Exception {
    ScriptedStore store = new ScriptedStore();
    store.put(NAME, ByteBuffer.wrap(new byte[] {1}), PutMode.CREATE_ONLY);
    int callsBefore = store.calls;
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());

    assertThrows(
        BlobAlreadyExistsException.class, () -> retrying.put(NAME, ByteBuffer.wrap(new byte[] {1}), PutMode.CREATE_ONLY));

    assertEquals(callsBefore + 1, store.calls, "no read to compare: nothing failed before");
  }

  @Test
  void aListingRetriedAfterReportingReportsEachBlobOnce() throws Exception {
    ScriptedStore store = new ScriptedStore();
    for (int i = 0; i < 5; i++) {
      store.put(BlobName.of("index/i" + i), ByteBuffer.wrap(new byte[i]), PutMode.CREATE_ONLY);
    }
    store.fail(2, When.AFTER, true);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.defaults());
    List<String> seen = new ArrayList<>();

    retrying.list("index/", info -> seen.add(info.name().value()));

    assertEquals(List.of("index/i0", "index/i1", "index/i2", "index/i3", "index/i4"), seen.stream().sorted().toList());
    assertEquals(2, retrying.retries(RetryingBlobStore.Operation.LIST));
  }

  @Test
  void anInterruptWhileWaitingAbandonsTheOperation() throws Exception {
    ScriptedStore store = new ScriptedStore().fail(1, When.BEFORE, true);
    RetryingBlobStore retrying =
        new RetryingBlobStore(store, RetryPolicy.defaults(), new RetryingBlobStore.Timing(System::nanoTime, d -> {
          throw new InterruptedException("test");
        }, () -> 0.5));
    try {
      StorageException e = assertThrows(StorageException.class, () -> retrying.delete(NAME));
      assertFalse(e.isTransient());
      assertTrue(e.getMessage().startsWith("interrupted while waiting to retry deleting blob " + NAME), e.getMessage());
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void openRetriesTransientFailuresOfTheOpenAndCountsThem() throws Exception {
    MemoryBlobStore memory = new MemoryBlobStore();
    int[] attempts = {0};
    RetryingBlobStore retrying =
        RetryingBlobStore.open(
            () -> {
              if (++attempts[0] < 3) {
                throw new StorageException("server not up yet", null, true);
              }
              return memory;
            },
            RetryPolicy.defaults(),
            clock.timing());

    assertEquals(3, attempts[0]);
    assertEquals(2, retrying.retries(RetryingBlobStore.Operation.OPEN));
    assertEquals(memory.describe(), retrying.describe());
  }

  @Test
  void aZeroToleranceDisablesRetries() throws Exception {
    ScriptedStore store = new ScriptedStore().fail(1, When.BEFORE, true);
    RetryingBlobStore retrying = retrying(store, RetryPolicy.builder().outageTolerance(Duration.ZERO).build());

    StorageException e = assertThrows(StorageException.class, () -> retrying.delete(NAME));

    assertTrue(e.getMessage().startsWith("gave up deleting blob " + NAME + " in "), e.getMessage());
    assertEquals(1, store.calls);
  }

  @Test
  void policiesRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().initialDelay(Duration.ZERO).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> RetryPolicy.builder().initialDelay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(1)).build());
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().outageTolerance(Duration.ofSeconds(-1)).build());
    assertSame(RetryPolicy.DEFAULT_OUTAGE_TOLERANCE, RetryPolicy.defaults().outageTolerance());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
