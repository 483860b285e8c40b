package dev.bakare;

import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.time.Instant;

/**
 * A repository's storage in memory, on a clock that moves only when told, with the hooks that open
 * repositories on it and count the blobs they fetch under one prefix.
 */
final class CountedStorage {
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final MemoryBlobStore shared = new MemoryBlobStore(clock);
  final CountingStore counted;
  final EngineHooks hooks;

  CountedStorage(String prefix) {
    this.counted = new CountingStore(shared, prefix);
    this.hooks = new EngineHooks(clock, true, counted, false);
  }

  /** Blobs fetched under the prefix since the last call. */
  int takeCount() {
    return counted.takeCount();
  }
}
