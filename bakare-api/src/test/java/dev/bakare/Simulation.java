package dev.bakare;

import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.content.PackEntry;
import dev.bakare.internal.content.PackHeaders;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.protocol.ProtocolLayout;
import dev.bakare.internal.protocol.SessionFinal;
import dev.bakare.internal.protocol.WriterSession;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.Tree;
import dev.bakare.internal.tree.TreeReader;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * One schedule of the deterministic concurrency simulation (docs/design.md, section 12): writers back up
 * small trees they change between runs (sharing some content, so they deduplicate against each other and
 * against their older snapshots), pruners forget by policy or by id and prune with short periods, and a
 * reader restores while all that goes on. All of them are real {@link Repository} instances in
 * sequential mode over one {@link MemoryBlobStore}; a {@link StepScheduler} lets one storage operation
 * through at a time, to an actor a seeded generator picks. Between steps the generator also moves the
 * clock (by seconds, or past every expiry and grace period), pauses actors for many steps, crashes them
 * (their next operation fails and the process starts over), and skews their clocks.
 *
 * <p>Afterwards: every snapshot in {@code snapshots/} restores to exactly what its writer backed up, check
 * with read-data finds no problem, and prunes run once everyone is idle reclaim all garbage. The seed
 * decides every choice, so a failure is replayed with {@code -Dbakare.sim.seed=SEED}; the ids the engine
 * draws from {@link java.security.SecureRandom} differ between runs, which can change the order in which
 * an actor goes through a set, not which actor moves when.
 */
final class Simulation {
  static final Duration HEARTBEAT = Duration.ofSeconds(10);
  static final Duration EXPIRY = Duration.ofSeconds(60);
  static final Duration GRACE = Duration.ofSeconds(30);
  /** PruneJob holds its lease at least this long; a crashed pruner keeps the others out that long. */
  static final Duration LEASE = Duration.ofMinutes(30);
  static final long MAX_SKEW_MILLIS = 20_000;
  /** A schedule this long means some actor makes no progress. */
  private static final int MAX_STEPS = 50_000;
  private static final int TRACE_LINES_IN_FAILURES = 80;
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  /** What one schedule did, for the test's summary. */
  record Outcome(long seed, int steps, int commits, int crashes, int pauses, long abandoned, int gaveUp,
      int leaseBusy, int concurrentPruneStops, int reads) {}

  private final long seed;
  private final boolean skipCommitClaim;
  private final Path root;
  private final SplittableRandom random;
  private final SimTime time = new SimTime(START);
  private final MemoryBlobStore store = new MemoryBlobStore(time.clock());
  private final StepScheduler scheduler = new StepScheduler();
  private final List<byte[]> sharedBlocks = new ArrayList<>();
  private final Map<String, Map<String, byte[]>> expected = new ConcurrentHashMap<>();
  private final Map<String, Path> sourceOf = new ConcurrentHashMap<>();
  private final List<String> trace = new ArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<StepScheduler.Actor, SimTime.Skewed> clocks = new HashMap<>();
  private final Map<StepScheduler.Actor, String> currentSession = new HashMap<>();
  private final Set<String> crashedSessions = new HashSet<>();
  /** Pruners inside {@code prune} now, and those whose prune overlapped another's. */
  private final Set<StepScheduler.Actor> pruning = new HashSet<>();
  private final Set<StepScheduler.Actor> overlapped = new HashSet<>();
  private int concurrentPruneStops;
  private int commits;
  private int crashes;
  private int pauses;
  private long abandoned;
  private int gaveUp;
  private int leaseBusy;
  private int reads;
  private int step;

  private Simulation(long seed, boolean skipCommitClaim, Path root) {
    this.seed = seed;
    this.skipCommitClaim = skipCommitClaim;
    this.root = root;
    this.random = new SplittableRandom(seed);
  }

  /**
   * Runs the schedule of {@code seed} in a fresh directory below {@code work}, and removes it afterwards.
   *
   * @param skipCommitClaim the mutation: writers commit without their claim
   * @throws AssertionError naming the seed, the broken invariant and the last steps, if anything is wrong
   */
  static Outcome run(long seed, boolean skipCommitClaim, Path work) throws Exception {
    Path root = Files.createDirectories(work.resolve("seed-" + seed));
    Simulation simulation = new Simulation(seed, skipCommitClaim, root);
    try {
      return simulation.run();
    } catch (IOException | RuntimeException e) {
      // Verification itself failed (a prune or restore of the idle repository threw): a finding too.
      simulation.fail("verifying the repository failed: " + describe(e));
      throw e;
    } finally {
      simulation.store.close();
      TestFiles.deleteTree(root);
    }
  }

  private Outcome run() throws Exception {
    int writers = 1 + random.nextInt(3);
    int pruners = 1 + random.nextInt(2);
    boolean reader = random.nextInt(3) == 0;
    double pauseChance = 0.005 + random.nextDouble() * 0.03;
    double crashChance = random.nextInt(3) == 0 ? 0 : random.nextDouble() * 0.006;
    long maxStepMillis = 200 + random.nextLong(3000);
    for (int i = 0; i < 6; i++) {
      sharedBlocks.add(bytes(random, 600 + random.nextInt(5000)));
    }
    try (Repository init = Repository.init(options().build(), new EngineHooks(time.clock(), true, store, false))) {
      trace.add("init " + init.info().id());
    }
    for (int i = 0; i < writers; i++) {
      int index = i;
      int runs = 2 + random.nextInt(3);
      SplittableRandom own = random.split();
      add("w" + i, self -> writer(self, index, runs, own));
    }
    for (int i = 0; i < pruners; i++) {
      int runs = 1 + random.nextInt(3);
      SplittableRandom own = random.split();
      add("p" + i, self -> pruner(self, runs, own, writers));
    }
    if (reader) {
      SplittableRandom own = random.split();
      add("r", self -> reader(self, 2 + random.nextInt(3), own));
    }
    try {
      scheduler.start();
      schedule(pauseChance, crashChance, maxStepMillis);
    } finally {
      scheduler.close();
    }
    for (StepScheduler.Actor actor : scheduler.actors()) {
      Throwable t = actor.failure();
      if (t != null) {
        fail(actor.name + " failed unexpectedly: " + describe(t));
      }
    }
    if (!scheduler.violations().isEmpty()) {
      fail("the schedule was not deterministic: " + scheduler.violations());
    }
    if (!failures.isEmpty()) {
      fail("unexpected failures: " + failures);
    }
    verifyEverySnapshot("after the schedule");
    reclaimOnceIdle();
    verifyEverySnapshot("after the final prunes");
    return new Outcome(seed, step, commits, crashes, pauses, abandoned, gaveUp, leaseBusy, concurrentPruneStops, reads);
  }

  private void add(String name, StepScheduler.Program program) {
    StepScheduler.Actor actor = scheduler.add(name, program);
    clocks.put(actor, new SimTime.Skewed(time, random.nextLong(-MAX_SKEW_MILLIS, MAX_SKEW_MILLIS + 1)));
  }

  private RepositoryOptions.Builder options() {
    return RepositoryOptions.builder()
        .location("mem:sim-" + seed)
        .configDirectory(root.resolve("config"))
        .cacheDirectory(root.resolve("cache"))
        .packSize(64 << 10)
        .chunkerParameters(new ChunkerParameters(256, 1024, 4096))
        .threads(1)
        .heartbeat(HEARTBEAT);
  }

  private EngineHooks hooks(StepScheduler.Actor self, boolean mutation) {
    FaultInjectingBlobStore gated = new FaultInjectingBlobStore(store,
        FaultInjectingBlobStore.Config.builder(seed).interceptor(self).build());
    return new EngineHooks(clocks.get(self), true, gated, mutation);
  }

  // ---- the schedule ----

  private void schedule(double pauseChance, double crashChance, long maxStepMillis) throws InterruptedException {
    while (true) {
      List<StepScheduler.Actor> live = scheduler.live();
      if (live.isEmpty()) {
        return;
      }
      if (step > MAX_STEPS) {
        fail("no progress: the schedule is still running after " + MAX_STEPS + " storage operations");
      }
      List<StepScheduler.Actor> ready = new ArrayList<>();
      long nextWake = Long.MAX_VALUE;
      for (StepScheduler.Actor a : live) {
        if (a.pausedUntil <= step) {
          ready.add(a);
        }
        nextWake = Math.min(nextWake, a.pausedUntil);
      }
      if (ready.isEmpty()) {
        // Everyone left is paused: nothing happens until the first wakes up.
        step = (int) nextWake;
        continue;
      }
      double draw = random.nextDouble();
      if (draw < pauseChance) {
        pause(live.get(random.nextInt(live.size())));
        continue;
      }
      StepScheduler.Actor actor = ready.get(random.nextInt(ready.size()));
      time.advance(Duration.ofMillis(random.nextLong(maxStepMillis + 1)));
      if (draw < pauseChance + crashChance) {
        log(actor, "CRASH before " + actor.pending());
        crashes++;
        String session = currentSession.get(actor);
        if (session != null) {
          crashedSessions.add(session);
        }
        scheduler.crash(actor);
      } else {
        log(actor, actor.pending());
        noteSession(actor, actor.pending());
        scheduler.grant(actor);
      }
      step++;
    }
  }

  /**
   * Pauses an actor for a number of steps while time moves on, often past the session expiry and grace,
   * sometimes past the lease; its clock may be stepped when it wakes (as NTP does after a suspend).
   */
  private void pause(StepScheduler.Actor actor) {
    pauses++;
    int steps = 1 + random.nextInt(random.nextBoolean() ? 40 : 400);
    Duration jump = switch (random.nextInt(4)) {
      case 0 -> Duration.ofMillis(random.nextLong(10_000));
      case 1 -> EXPIRY.dividedBy(2);
      case 2 -> EXPIRY.plus(GRACE).plusMillis(random.nextLong(EXPIRY.toMillis()));
      default -> LEASE.plus(EXPIRY).plusMillis(random.nextLong(LEASE.toMillis()));
    };
    actor.pausedUntil = step + steps;
    time.advance(jump);
    SimTime.Skewed clock = clocks.get(actor);
    if (random.nextBoolean()) {
      clock.offset(random.nextLong(-MAX_SKEW_MILLIS, MAX_SKEW_MILLIS + 1));
    }
    log(actor, "PAUSE for " + steps + " steps; time +" + jump.toSeconds() + " s; skew " + clock.offsetMillis() + " ms");
  }

  /** Remembers the session an actor is in, so that a crash can name it (see {@link #reclaimOnceIdle}). */
  private void noteSession(StepScheduler.Actor actor, String pending) {
    if (pending.startsWith("PUT " + ProtocolLayout.SESSIONS) && pending.endsWith("/start")) {
      ProtocolLayout.idBelow(BlobName.of(pending.substring(4)), ProtocolLayout.SESSIONS)
          .ifPresent(id -> currentSession.put(actor, id));
    }
  }

  private void log(StepScheduler.Actor actor, String what) {
    trace.add(String.format(java.util.Locale.ROOT, "%6d %+10.3fs %-3s %s", step,
        (time.millis() - START.toEpochMilli()) / 1000.0, actor.name, what));
  }

  // ---- actors ----

  private void writer(StepScheduler.Actor self, int index, int runs, SplittableRandom own) throws Exception {
    Path source = Files.createDirectories(root.resolve("w" + index).resolve("src"));
    Files.createDirectories(source.resolve("sub"));
    for (int i = 0; i < 3 + own.nextInt(3); i++) {
      writeFile(source.resolve(i % 2 == 0 ? "f" + i : "sub/f" + i), own, self);
    }
    EngineHooks hooks = hooks(self, skipCommitClaim);
    Repository repo = openSurviving(self, hooks);
    try {
      for (int run = 0; run < runs; run++) {
        if (run > 0) {
          mutate(source, own, self);
        }
        String tag = self.name + "-" + run;
        expected.put(tag, contentOf(source));
        sourceOf.put(tag, source);
        try {
          repo.backup(BackupRequest.builder().path(source).host("host-" + self.name).tag(tag).build());
          commits++;
        } catch (IOException | RuntimeException e) {
          if (self.restartIfCrashed()) {
            repo.close();
            repo = openSurviving(self, hooks);
          } else if (String.valueOf(e.getMessage()).startsWith("backup gave up")) {
            gaveUp++;
          } else {
            failures.add(self.name + " backup " + tag + ": " + describe(e));
          }
          continue;
        }
        // A crash after the commit (while the session is removed) restarts the process all the same.
        if (self.restartIfCrashed()) {
          repo.close();
          repo = openSurviving(self, hooks);
        }
      }
    } finally {
      repo.close();
    }
  }

  private void pruner(StepScheduler.Actor self, int runs, SplittableRandom own, int writers) throws Exception {
    EngineHooks hooks = hooks(self, false);
    Repository repo = openSurviving(self, hooks);
    try {
      for (int run = 0; run < runs; run++) {
        try {
          switch (own.nextInt(3)) {
            case 0 -> {
              ForgetPolicy.Builder policy = ForgetPolicy.builder().keepLast(1 + own.nextInt(2));
              if (own.nextBoolean()) {
                policy.host("host-w" + own.nextInt(writers));
              }
              repo.forget(policy.build(), false);
            }
            case 1 -> {
              List<Snapshot> all = repo.snapshots();
              if (!all.isEmpty()) {
                repo.forget(List.of(all.get(own.nextInt(all.size())).id()), false);
              }
            }
            default -> { }
          }
          Duration grace = List.of(Duration.ZERO, Duration.ofSeconds(10), GRACE).get(own.nextInt(3));
          PruneRequest request = PruneRequest.builder().grace(grace).sessionExpiry(EXPIRY)
              .maxUnused(List.of(0.0, 0.1, 0.5).get(own.nextInt(3))).build();
          if (!pruning.isEmpty()) {
            overlapped.addAll(pruning);
            overlapped.add(self);
          }
          pruning.add(self);
          PruneResult result = repo.prune(request);
          abandoned += result.sessionsAbandoned();
        } catch (IOException | RuntimeException e) {
          String message = String.valueOf(e.getMessage());
          if (!self.restartIfCrashed()) {
            if (message.contains("maintenance lease")) {
              leaseBusy++;
            } else if (overlapped.contains(self) && !(e instanceof RuntimeException)) {
              // Two prunes ran at once (one was paused past its lease and went on) and one deleted a pack or
              // segment the other was reading: it stops ("prune stopped, nothing was deleted", or "blob not
              // found"). Safe (the verification below would see any harm), and what the lease makes rare.
              concurrentPruneStops++;
            } else if (!message.startsWith("no snapshot matches") && !message.startsWith("no snapshot ")) {
              failures.add(self.name + " forget/prune: " + describe(e));
            }
          }
        } finally {
          pruning.remove(self);
          overlapped.remove(self);
        }
        if (self.restartIfCrashed()) {
          repo.close();
          repo = openSurviving(self, hooks);
        }
      }
    } finally {
      repo.close();
    }
  }

  /**
   * Restores snapshots while backups and prunes run, through one long-lived repository (whose index is
   * loaded once and then brought up to date, as an embedding application's would be). A restore that
   * fails or differs is a loss unless the snapshot was forgotten meanwhile.
   */
  private void reader(StepScheduler.Actor self, int runs, SplittableRandom own) throws Exception {
    EngineHooks hooks = hooks(self, false);
    Repository repo = openSurviving(self, hooks);
    try {
      for (int run = 0; run < runs; run++) {
        Path target = root.resolve("reader").resolve("run" + run);
        try {
          restoreOne(self, repo, own, target);
        } finally {
          TestFiles.deleteTree(target);
        }
        if (self.restartIfCrashed()) {
          repo.close();
          repo = openSurviving(self, hooks);
        }
      }
    } finally {
      repo.close();
    }
  }

  private void restoreOne(StepScheduler.Actor self, Repository repo, SplittableRandom own, Path target)
      throws IOException {
    Snapshot chosen = null;
    String problem;
    try {
      List<Snapshot> all = repo.snapshots();
      if (all.isEmpty()) {
        return;
      }
      chosen = all.get(own.nextInt(all.size()));
      RestoreResult result = repo.restore(chosen.id(), target);
      if (self.crashing()) {
        // A restore records per-file failures, a simulated crash among them: not a finding.
        return;
      }
      reads++;
      problem = result.isComplete() ? compare(chosen, target) : "incomplete: " + result.errors();
    } catch (IOException | RuntimeException e) {
      if (self.crashing()) {
        return;
      }
      problem = describe(e);
    }
    if (problem != null && chosen != null && stillExists(chosen)) {
      failures.add("r restoring " + chosen.id().shortId() + " " + chosen.tags() + " while it existed: " + problem);
    }
  }

  /** Whether a snapshot is still in storage: snapshots never come back, so then it was there all along. */
  private boolean stillExists(Snapshot snapshot) {
    return store.stat(Layout.snapshot(ObjectId.fromHex(snapshot.id().hex()))).isPresent();
  }

  private Repository openSurviving(StepScheduler.Actor self, EngineHooks hooks) throws IOException {
    while (true) {
      try {
        return Repository.open(options().build(), hooks);
      } catch (IOException e) {
        if (!self.restartIfCrashed()) {
          throw e;
        }
      }
    }
  }

  // ---- trees ----

  private void writeFile(Path file, SplittableRandom own, StepScheduler.Actor self) throws IOException {
    java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
    for (int part = 0; part < 1 + own.nextInt(3); part++) {
      if (own.nextBoolean()) {
        content.writeBytes(sharedBlocks.get(own.nextInt(sharedBlocks.size())));
      } else {
        content.writeBytes(bytes(own, 50 + own.nextInt(4000)));
      }
    }
    Files.write(file, content.toByteArray());
    // A time of the simulation, so that what the backup records does not depend on when the test ran.
    Files.setLastModifiedTime(file, FileTime.fromMillis(clocks.get(self).millis()));
  }

  private void mutate(Path source, SplittableRandom own, StepScheduler.Actor self) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(source)) {
      files = new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
    }
    for (int change = 0; change < 1 + own.nextInt(2); change++) {
      int kind = own.nextInt(3);
      if (kind == 0 && files.size() > 1) {
        Files.delete(files.remove(own.nextInt(files.size())));
      } else if (kind == 1) {
        Path added = source.resolve((own.nextBoolean() ? "sub/" : "") + "n" + own.nextInt(1000));
        writeFile(added, own, self);
        if (!files.contains(added)) {
          files.add(added);
        }
      } else {
        writeFile(files.get(own.nextInt(files.size())), own, self);
      }
    }
  }

  /** Every regular file below {@code dir} by relative path, and every directory (with a null value). */
  private static Map<String, byte[]> contentOf(Path dir) throws IOException {
    Map<String, byte[]> content = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        String relative = dir.relativize(p).toString();
        content.put(relative, Files.isDirectory(p) ? new byte[] {'/'} : Files.readAllBytes(p));
      }
    }
    return content;
  }

  private static byte[] bytes(SplittableRandom random, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  // ---- verification ----

  /** Null if the restore below {@code target} holds exactly what the snapshot's writer backed up. */
  private @org.jspecify.annotations.Nullable String compare(Snapshot snapshot, Path target) throws IOException {
    if (snapshot.tags().size() != 1 || !expected.containsKey(snapshot.tags().get(0))) {
      return "snapshot " + snapshot.id().shortId() + " has tags " + snapshot.tags() + ", which no writer used";
    }
    String tag = snapshot.tags().get(0);
    Path restored = TreeAssertions.restored(target, sourceOf.get(tag));
    if (!Files.isDirectory(restored)) {
      return "nothing restored at " + restored;
    }
    Map<String, byte[]> want = expected.get(tag);
    Map<String, byte[]> got = contentOf(restored);
    if (!want.keySet().equals(got.keySet())) {
      return "entries differ: backed up " + want.keySet() + ", restored " + got.keySet();
    }
    for (Map.Entry<String, byte[]> e : want.entrySet()) {
      if (!Arrays.equals(e.getValue(), got.get(e.getKey()))) {
        return "content of " + e.getKey() + " differs";
      }
    }
    return null;
  }

  private Repository openVerifier() throws IOException {
    return Repository.open(options().build(), new EngineHooks(time.clock(), true, store, false));
  }

  /** Every snapshot in storage restores, through a fresh repository, to what was backed up; check is clean. */
  private void verifyEverySnapshot(String when) throws Exception {
    try (Repository repo = openVerifier()) {
      if (repo.snapshots().size() != repo.engine().snapshotIds().size()) {
        fail(when + ": some snapshots are unreadable");
      }
      for (Snapshot s : repo.snapshots()) {
        Path target = root.resolve("verify");
        try {
          RestoreResult result = repo.restore(s.id(), target);
          String problem = result.isComplete() ? compare(s, target) : "incomplete restore: " + result.errors();
          if (problem != null) {
            fail(when + ": committed snapshot " + s.id().shortId() + " " + s.tags() + " is lost: " + problem);
          }
        } catch (IOException e) {
          fail(when + ": committed snapshot " + s.id().shortId() + " " + s.tags() + " does not restore: " + describe(e));
        } finally {
          TestFiles.deleteTree(target);
        }
      }
      CheckResult check = repo.check(CheckRequest.readAllData());
      if (!check.problems().isEmpty()) {
        fail(when + ": check found " + check.problems());
      }
    }
  }

  /**
   * Once every actor is idle, prunes with time moved past every lease, session expiry and grace period
   * reclaim everything: no tombstone, lease or session is left but the final claims of abandoned sessions
   * (which must stay), and every pack holds a chunk some snapshot references.
   */
  private void reclaimOnceIdle() throws Exception {
    PruneRequest request = PruneRequest.builder().grace(GRACE).sessionExpiry(EXPIRY).maxUnused(0).build();
    try (Repository repo = openVerifier()) {
      for (int round = 0; round < 6; round++) {
        time.advance(LEASE.plus(EXPIRY).plus(GRACE).plusSeconds(1));
        PruneResult result = repo.prune(request);
        trace.add("final prune " + round + ": " + result);
        if (result.packsMarked() == 0 && names(ProtocolLayout.TOMBSTONES).isEmpty()) {
          break;
        }
      }
      List<String> left = new ArrayList<>(names(ProtocolLayout.TOMBSTONES));
      left.addAll(names(ProtocolLayout.LEASES));
      if (!left.isEmpty()) {
        fail("once idle, prunes left " + left);
      }
      Engine engine = repo.engine();
      Map<String, List<String>> sessions = new TreeMap<>();
      for (String name : names(ProtocolLayout.SESSIONS)) {
        ProtocolLayout.idBelow(BlobName.of(name), ProtocolLayout.SESSIONS)
            .ifPresent(id -> sessions.computeIfAbsent(id, k -> new ArrayList<>()).add(name));
      }
      for (Map.Entry<String, List<String>> s : sessions.entrySet()) {
        boolean onlyFinal = s.getValue().equals(List.of(ProtocolLayout.sessionFinal(s.getKey()).value()));
        if (!onlyFinal || WriterSession.readFinal(store, engine.sealing(), s.getKey()).outcome()
            != SessionFinal.Outcome.ABANDONED) {
          fail("once idle, prunes left session " + s.getKey() + ": " + s.getValue()
              + (onlyFinal ? " " + WriterSession.readFinal(store, engine.sealing(), s.getKey()) : ""));
        }
      }
      Set<ObjectId> referenced = referencedChunks(engine);
      Map<ObjectId, Set<ObjectId>> chunksByPack = new HashMap<>();
      for (BlobName segment : engine.indexSegmentNames()) {
        for (IndexSegment.IndexedPack pack : engine.readIndexSegment(segment).packs()) {
          Set<ObjectId> chunks = chunksByPack.computeIfAbsent(pack.pack().id(), k -> new HashSet<>());
          for (PackEntry entry : pack.entries()) {
            chunks.add(entry.id());
          }
        }
      }
      for (Map.Entry<ObjectId, Long> pack : engine.packsInStorage().entrySet()) {
        Set<ObjectId> chunks = chunksByPack.get(pack.getKey());
        if (chunks == null) {
          // No segment lists it (its backup died before indexing it, and a later one deduplicated against
          // it): readers and prunes index it from its header, and so does this check.
          chunks = new HashSet<>();
          for (PackEntry entry : PackHeaders.read(store, engine.sealing(), pack.getKey(), pack.getValue()).entries()) {
            chunks.add(entry.id());
          }
        }
        if (chunks.stream().noneMatch(referenced::contains)) {
          fail("once idle, prunes left pack " + pack.getKey().shortHex() + ", which holds no referenced chunk");
        }
      }
    }
  }

  private static Set<ObjectId> referencedChunks(Engine engine) throws IOException {
    TreeReader trees = new TreeReader(engine.reader());
    Set<ObjectId> referenced = new HashSet<>();
    for (ObjectId snapshot : engine.snapshotIds()) {
      ObjectId rootTree = java.util.Objects.requireNonNull(engine.readSnapshot(snapshot).detail()).rootTree();
      List<ObjectId> pending = new ArrayList<>(List.of(rootTree));
      while (!pending.isEmpty()) {
        ObjectId tree = pending.remove(pending.size() - 1);
        if (!referenced.add(tree)) {
          continue;
        }
        for (Node node : trees.read(tree).nodes()) {
          referenced.addAll(node.content());
          if (node.subtree() != null) {
            pending.add(node.subtree());
          }
        }
      }
    }
    return referenced;
  }

  private List<String> names(String prefix) {
    List<String> names = new ArrayList<>();
    store.list(prefix, (BlobInfo info) -> names.add(info.name().value()));
    return names;
  }

  // ---- failures ----

  private void fail(String what) {
    int from = Math.max(0, trace.size() - TRACE_LINES_IN_FAILURES);
    String header = "simulation seed " + seed + (skipCommitClaim ? " (mutation: no commit claim)" : "") + ": " + what;
    String whole = "";
    Path file = Path.of(System.getProperty("bakare.sim.traceDir", "target/simulation-traces"), "seed-" + seed + ".txt");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, header + "\n" + String.join("\n", trace) + "\n");
      whole = "\nthe whole trace: " + file.toAbsolutePath();
    } catch (IOException e) {
      whole = "\n(the whole trace could not be written to " + file + ": " + e.getMessage() + ")";
    }
    throw new AssertionError(header + "\nreplay with: ./mvnw -pl bakare-api -am test -Dtest=ConcurrencySimulationTest#replay"
        + " -Dsurefire.failIfNoSpecifiedTests=false -Dbakare.sim.seed=" + seed
        + (skipCommitClaim ? " -Dbakare.sim.mutation=true" : "") + whole
        + "\nlast " + (trace.size() - from) + " of " + trace.size() + " steps:\n"
        + String.join("\n", trace.subList(from, trace.size())));
  }

  private static String describe(Throwable t) {
    StringBuilder out = new StringBuilder(t.toString());
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      out.append(" <- ").append(c);
    }
    return out.toString();
  }
}
