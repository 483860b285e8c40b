package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.Layout;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.ForwardingBlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StoreCapabilities;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a store that streams puts from files, a backup keeps as many uploads in flight as the store asks for,
 * however small the memory limit: the packs wait in files, not in memory.
 */
class UploadConcurrencyTest {
  /** What the store asks for; a memory-bound backup under the limit below would keep 2 uploads in flight. */
  private static final int STORE_CONCURRENCY = 6;

  @TempDir Path temp;

  /**
   * A store on a high-latency link, as far as the backup can tell: it wants many puts in flight, and each
   * pack's put from a file waits until that many are in flight at once (or gives up waiting after a while,
   * which the test then reports).
   */
  private static final class SlowLinkStore extends ForwardingBlobStore {
    final CountDownLatch allInFlight = new CountDownLatch(STORE_CONCURRENCY);
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger mostInFlight = new AtomicInteger();
    final AtomicInteger packsFromFiles = new AtomicInteger();

    SlowLinkStore() {
      super(new MemoryBlobStore(Clock.systemUTC()));
    }

    @Override
    public StoreCapabilities capabilities() {
      StoreCapabilities memory = delegate().capabilities();
      return new StoreCapabilities(memory.atomicCreateOnly(), STORE_CONCURRENCY, memory.maxBlobSize(), true);
    }

    @Override
    public void putFrom(BlobName name, FileChannel source, long length, PutMode mode) throws StorageException {
      if (!name.value().startsWith(Layout.DATA)) {
        super.putFrom(name, source, length, mode);
        return;
      }
      packsFromFiles.incrementAndGet();
      mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        allInFlight.countDown();
        allInFlight.await(30, TimeUnit.SECONDS);
        super.putFrom(name, source, length, mode);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted", e, true);
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  @Test
  void aBackupKeepsAsManyUploadsInFlightAsTheStoreAsksForUnderASmallMemoryLimit() throws IOException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(3);
    for (int i = 0; i < 3 * STORE_CONCURRENCY; i++) {
      Files.write(source.resolve("f" + i), BackupRestoreTest.randomBytes(random, 80_000));
    }
    SlowLinkStore store = new SlowLinkStore();
    RepositoryOptions options = new TestRepo(temp).options().packSize(64 << 10).memoryLimit(64L << 20).threads(2)
        .build();
    EngineHooks hooks = new EngineHooks(Clock.systemUTC(), false, store, false);
    Repository.init(options, hooks).close();
    try (Repository repository = Repository.open(options, hooks)) {
      Snapshot snapshot = repository.backup(BackupRequest.of(source));
      assertFalse(snapshot.isPartial(), snapshot.errors().toString());
      assertTrue(store.packsFromFiles.get() >= STORE_CONCURRENCY, "data packs put from files: " + store.packsFromFiles);
      assertEquals(STORE_CONCURRENCY, store.mostInFlight.get(), "most pack uploads in flight at once");

      Path target = Files.createDirectories(temp.resolve("target"));
      assertTrue(repository.restore(snapshot.id(), target).isComplete());
      assertSameTree(source, restored(target, source));
    }
  }
}
