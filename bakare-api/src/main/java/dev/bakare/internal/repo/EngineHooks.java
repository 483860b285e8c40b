package dev.bakare.internal.repo;

import dev.bakare.store.spi.BlobStore;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * Seams for tests that drive the engine deterministically: a controllable clock, a sequential mode in
 * which every storage operation of a job happens on the calling thread in a fixed order (so a scheduler
 * can interleave several jobs step by step), a store to use instead of opening the location (an
 * in-memory store with its own clock, wrapped to pause or crash between operations), and the mutation
 * switch that proves the simulation catches a writer that skips its commit claim.
 *
 * @param clock the wall clock of this process (session times, heartbeats)
 * @param sequential run backup work and uploads on the calling thread, heartbeats between files
 * @param store if not null, the store to use; the engine does not close it
 * @param skipCommitClaim test-only mutation: commit without the claim, as a naive writer would
 */
public record EngineHooks(Clock clock, boolean sequential, @Nullable BlobStore store, boolean skipCommitClaim) {
  public static final EngineHooks DEFAULT = new EngineHooks(Clock.systemUTC(), false, null, false);
}
