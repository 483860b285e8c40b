package dev.bakare.internal.repo;

import java.time.Clock;

/**
 * Seams for tests that drive the engine deterministically: a controllable clock, a sequential mode in
 * which every storage operation of a job happens on the calling thread in a fixed order (so a scheduler
 * can interleave several jobs step by step), and the mutation switch that proves the simulation catches a
 * writer that skips its commit claim.
 *
 * @param clock the wall clock of this process (session times, heartbeats)
 * @param sequential run backup work and uploads on the calling thread, heartbeats between files
 * @param skipCommitClaim test-only mutation: commit without the claim, as a naive writer would
 */
public record EngineHooks(Clock clock, boolean sequential, boolean skipCommitClaim) {
  public static final EngineHooks DEFAULT = new EngineHooks(Clock.systemUTC(), false, false);
}
