package dev.bakare;

import dev.bakare.store.spi.StorageException;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Runs several actors, each on a thread of its own, but lets exactly one storage operation proceed at a
 * time: every operation of an actor stops at its gate (the {@link FaultInjectingBlobStore} interceptor of
 * that actor's store) until the scheduler grants it, and the scheduler waits until the granted actor has
 * reached its next gate (or finished) before it grants anything else. So only one actor thread ever runs,
 * and a run is a deterministic interleaving chosen by whoever calls {@link #grant}.
 *
 * <p>An actor may use helper threads (a restore reads packs on a pool) as long as only one of its threads
 * runs at a time; two of its threads waiting at the gate at once would make the interleaving depend on
 * the JVM's thread scheduling, and is reported as a {@linkplain #violations() violation}.
 */
final class StepScheduler implements AutoCloseable {
  /**
   * How long a granted actor may compute before reaching its next storage operation: a hang detector
   * (an actor blocked outside storage would otherwise stop the test forever), not a timing assertion.
   */
  private static final long HANG_SECONDS = 120;

  /** What an actor does: its whole life, with {@code self} to learn about crashes. */
  interface Program {
    void run(Actor self) throws Exception;
  }

  private final Semaphore yielded = new Semaphore(0);
  private final List<Actor> actors = new ArrayList<>();
  private final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** An actor: its gate, its state, its thread. */
  final class Actor implements FaultInjectingBlobStore.Interceptor {
    final String name;
    private final Program program;
    private final Semaphore go = new Semaphore(0);
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile boolean crashing;
    private volatile boolean done;
    private volatile String pending = "";
    private volatile @Nullable Throwable failure;
    private @Nullable Thread thread;
    /** The first step at which the scheduler may grant this actor again; used by the caller only. */
    long pausedUntil;

    private Actor(String name, Program program) {
      this.name = name;
      this.program = program;
    }

    @Override
    public void before(FaultInjectingBlobStore.Operation operation, String subject)
        throws StorageException, InterruptedException {
      if (crashing) {
        throw crash(operation, subject);
      }
      if (waiting.incrementAndGet() > 1) {
        violations.add(name + ": two threads at its gate at once (" + pending + " and " + operation + " " + subject
            + "): the actor runs storage operations concurrently, so the schedule is not deterministic");
      }
      pending = operation + " " + subject;
      yielded.release();
      try {
        go.acquire();
      } finally {
        waiting.decrementAndGet();
      }
      if (crashing) {
        throw crash(operation, subject);
      }
    }

    private StorageException crash(FaultInjectingBlobStore.Operation operation, String subject) {
      return new StorageException("simulated crash of " + name + " before " + operation + " " + subject);
    }

    /**
     * Called by the program after each job: whether a simulated crash hit it. If so the crash is over (the
     * process restarted), and the program should open its repository again.
     */
    boolean restartIfCrashed() {
      boolean crashed = crashing;
      crashing = false;
      return crashed;
    }

    /** Whether a simulated crash is unwinding the current job. */
    boolean crashing() {
      return crashing;
    }

    /** The operation this actor waits to run, for traces. */
    String pending() {
      return pending;
    }

    boolean done() {
      return done;
    }

    @Nullable Throwable failure() {
      return failure;
    }

    private void start() throws InterruptedException {
      Thread t = new Thread(() -> {
        try {
          program.run(this);
        } catch (Throwable e) {
          failure = e;
        } finally {
          done = true;
          if (waiting.get() > 0) {
            violations.add(name + ": finished while one of its threads waited at the gate");
          }
          yielded.release();
        }
      }, "sim-" + name);
      t.setDaemon(true);
      thread = t;
      t.start();
      awaitYield(this);
    }
  }

  Actor add(String name, Program program) {
    Actor actor = new Actor(name, program);
    actors.add(actor);
    return actor;
  }

  /** Starts every actor, one at a time, each up to its first storage operation. */
  void start() throws InterruptedException {
    for (Actor actor : actors) {
      actor.start();
    }
  }

  List<Actor> actors() {
    return actors;
  }

  /** Actors that wait at their gate (not finished). */
  List<Actor> live() {
    List<Actor> live = new ArrayList<>();
    for (Actor a : actors) {
      if (!a.done) {
        live.add(a);
      }
    }
    return live;
  }

  /** Lets {@code actor}'s pending operation run, and waits until it is at its next one or finished. */
  void grant(Actor actor) throws InterruptedException {
    actor.go.release();
    awaitYield(actor);
  }

  /** Makes {@code actor}'s pending operation, and every one after it until its program restarts, fail. */
  void crash(Actor actor) throws InterruptedException {
    actor.crashing = true;
    grant(actor);
  }

  List<String> violations() {
    return violations;
  }

  private void awaitYield(Actor actor) throws InterruptedException {
    if (!yielded.tryAcquire(HANG_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError(actor.name + " did not reach its next storage operation within " + HANG_SECONDS
          + " s after " + actor.pending + ": it blocks outside storage");
    }
  }

  /** Ends every actor still running: each crashes at its gate, and its thread is waited for. */
  @Override
  public void close() throws InterruptedException {
    for (Actor actor : actors) {
      Thread t = actor.thread;
      if (t == null) {
        continue;
      }
      // A crashed program may restart and try again: crash it at each gate until it gives up.
      while (!actor.done) {
        actor.crashing = true;
        actor.go.release();
        t.join(50);
      }
      t.join();
    }
    yielded.drainPermits();
  }
}
