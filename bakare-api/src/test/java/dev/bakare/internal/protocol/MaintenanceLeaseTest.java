package dev.bakare.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.MutableClock;
import dev.bakare.RepositoryException;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class MaintenanceLeaseTest {
  private static final Duration LEASE = Duration.ofMinutes(30);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final MemoryBlobStore store = new MemoryBlobStore(clock);

  /**
   * A prune paused right after it put its lease, for longer than the lease lasts, while another prune took
   * the lease over (and removed the stale one). Found by the concurrency simulation (seed 1000029): the
   * paused prune then failed with "lease ... vanished right after it was written", a storage error that
   * sends people looking for a broken store, instead of saying another prune took over.
   */
  @Test
  void aPruneWhoseLeaseWasTakenOverWhileItWasPausedSaysSo() {
    FaultInjectingBlobStore paused = new FaultInjectingBlobStore(store, FaultInjectingBlobStore.Config.builder(1)
        .interceptor(new FaultInjectingBlobStore.Interceptor() {
          private boolean done;

          @Override
          public void after(FaultInjectingBlobStore.Operation operation, String subject, @Nullable Exception failure)
              throws StorageException {
            if (!done && operation == FaultInjectingBlobStore.Operation.PUT && subject.startsWith(ProtocolLayout.LEASES)) {
              done = true;
              clock.advance(LEASE.plusSeconds(1));
              try {
                MaintenanceLease.acquire(store, LEASE, "the other prune").close();
              } catch (RepositoryException e) {
                throw new AssertionError("the other prune takes the expired lease", e);
              }
            }
          }
        }).build());
    RepositoryException e = assertThrows(RepositoryException.class,
        () -> MaintenanceLease.acquire(paused, LEASE, "the paused prune"));
    assertTrue(e.getMessage().contains("another prune took over the maintenance lease"), e.getMessage());
  }
}
