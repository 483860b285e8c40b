package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes on one file-system repository, with a backup frozen by SIGSTOP (as a suspended laptop
 * is) for longer than every timeout and grace period, with shortened periods: prunes use {@code --grace 1s
 * --session-expiry 3s} and backups {@code --heartbeat 500ms}. A backup is frozen mid-pass: it is stopped as
 * soon as its first pack appears, so it has loaded the index and made its deduplication decisions by then.
 * The repository's packs are small (64 KiB, chunks of 16-64 KiB) so that the frozen backup has hundreds of
 * packs still to write when it is stopped: with 16 MiB packs its first pack appeared about 150 ms before it
 * claimed its commit, a window the test's polling could miss on a loaded machine, and a backup frozen after
 * its claim is committed, not abandoned.
 */
class FrozenBackupProcessTest {
  private static final String[] SHORT_PRUNE = {"--grace", "1s", "--session-expiry", "3s"};
  private static final String HEAL_WARNING = "was judged abandoned by a prune while this backup was paused";

  @TempDir Path temp;
  Path repo;
  ChildCli children;
  CliRunner cli;
  Random random = new Random(17);
  final List<ChildCli.Child> started = new CopyOnWriteArrayList<>();
  final Map<String, Map<String, String>> expected = new ConcurrentHashMap<>();
  final Map<String, Path> sources = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() {
    repo = temp.resolve("repo");
    children = new ChildCli(temp, temp.resolve("config"), repo);
    cli = new CliRunner(temp.resolve("config"));
    cli.run("-r", repo, "init", "--pack-size", "64K", "--chunk-sizes", "16K,32K,64K").assertSuccess();
  }

  @AfterEach
  void endChildren() throws IOException, InterruptedException {
    for (ChildCli.Child child : started) {
      if (child.isAlive()) {
        child.signal("CONT");
        child.destroy();
      }
    }
  }

  private ChildCli.Child start(String... args) throws IOException {
    ChildCli.Child child = children.start(args);
    started.add(child);
    return child;
  }

  /** Backs up {@code source} in a child and records what it held. */
  private String backup(Path source, String host) throws IOException, InterruptedException {
    Map<String, String> content = ChildCli.digests(source);
    ChildCli.Outcome outcome = start("--json", "backup", "--heartbeat", "500ms", "--host", host, source.toString())
        .await().assertSuccess();
    String id = (String) outcome.json().get("id");
    expected.put(id, content);
    sources.put(id, source);
    return id;
  }

  /**
   * Starts a backup of {@code source} and freezes it (SIGSTOP) as soon as it uploaded its first pack, while
   * nothing else writes.
   */
  private ChildCli.Child startAndFreeze(Path source, String host) throws IOException, InterruptedException {
    Set<String> before = children.packs();
    Set<Path> sessionsBefore = sessions();
    ChildCli.Child backup = start("--json", "backup", "--heartbeat", "500ms", "--host", host, source.toString());
    ChildCli.await("the backup uploads its first pack", Duration.ofSeconds(120),
        () -> !before.containsAll(children.packs()) || !backup.isAlive());
    backup.signal("STOP");
    assertTrue(backup.isAlive(), "the backup finished before it could be frozen: give it more data");
    Set<Path> started = sessions();
    started.removeAll(sessionsBefore);
    assertEquals(1, started.size(), "the frozen backup's session: " + started);
    Path session = started.iterator().next();
    // A session that ended is emptied; one that claimed its commit holds its snapshot: neither is abandoned.
    assertTrue(Files.exists(session.resolve("start")) && !Files.exists(session.resolve("snapshot")),
        "the backup had claimed its commit or ended before it was frozen: give it more packs to write after"
            + " its first (session " + session + ")");
    return backup;
  }

  private Set<Path> sessions() throws IOException {
    if (!Files.isDirectory(repo.resolve("sessions"))) {
      return new HashSet<>();
    }
    try (Stream<Path> listed = Files.list(repo.resolve("sessions"))) {
      return listed.collect(Collectors.toCollection(HashSet::new));
    }
  }

  @Test
  void aBackupFrozenPastEveryExpiryWhileAnotherHostBacksUpAndPrunesRunHealsAndEverythingRestores()
      throws Exception {
    Path a = Files.createDirectories(temp.resolve("host-a/source"));
    Path b = Files.createDirectories(temp.resolve("host-b/source"));
    for (int i = 0; i < 4; i++) {
      ChildCli.writeRandom(a.resolve("old-" + i), 2 << 20, random);
    }
    ChildCli.writeRandom(b.resolve("b-0"), 200_000, random);
    backup(a, "host-a");
    backup(b, "host-b");

    for (int i = 0; i < 3; i++) {
      ChildCli.writeRandom(a.resolve("new-" + i), 12 << 20, random);
    }
    Map<String, String> frozenContent = ChildCli.digests(a);
    ChildCli.Child frozen = startAndFreeze(a, "host-a");
    long frozenAt = System.nanoTime();

    // Meanwhile host B backs up three more times and a third process forgets and prunes in a loop.
    CompletableFuture<Void> hostB = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 1; i <= 3; i++) {
          ChildCli.writeRandom(b.resolve("b-" + i), 200_000, random);
          Files.delete(b.resolve("b-" + (i - 1)));
          backup(b, "host-b");
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("host B's backups failed", e);
      }
    });
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong abandoned = new AtomicLong();
    AtomicLong deleted = new AtomicLong();
    AtomicLong prunes = new AtomicLong();
    List<String> pruneFailures = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> pruner = CompletableFuture.runAsync(() -> {
      try {
        while (!stop.get()) {
          List<String> args = new ArrayList<>(List.of("--json", "forget", "--keep-last", "1", "--prune"));
          args.addAll(List.of(SHORT_PRUNE));
          ChildCli.Outcome outcome = start(args.toArray(String[]::new)).await();
          prunes.incrementAndGet();
          if (outcome.code() != Main.SUCCESS) {
            pruneFailures.add(outcome.err());
            continue;
          }
          Map<?, ?> prune = (Map<?, ?>) outcome.json().get("prune");
          abandoned.addAndGet(((Number) prune.get("sessions_abandoned")).longValue());
          deleted.addAndGet(((Number) prune.get("packs_deleted")).longValue());
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("the prune loop failed", e);
      }
    });
    try {
      ChildCli.await("host B is done and a prune judged the frozen backup abandoned and swept",
          Duration.ofSeconds(180), () -> hostB.isDone() && abandoned.get() > 0 && deleted.get() > 0,
          () -> "host B " + (hostB.isCompletedExceptionally() ? "failed" : hostB.isDone() ? "done" : "running")
              + ", " + prunes.get() + " prunes run, " + abandoned.get() + " sessions judged abandoned, "
              + deleted.get() + " packs deleted, " + pruneFailures.size() + " prunes failed"
              + (pruneFailures.isEmpty() ? "" : ", the last: " + pruneFailures.get(pruneFailures.size() - 1)));
    } finally {
      // A failed wait must not leave the loop starting prunes into a test directory being deleted.
      stop.set(true);
    }
    hostB.join();
    pruner.join();
    assertEquals(List.of(), pruneFailures);
    assertTrue(System.nanoTime() - frozenAt > Duration.ofSeconds(4).toNanos(), "frozen past grace and expiry");

    frozen.signal("CONT");
    ChildCli.Outcome resumed = frozen.await().assertSuccess();
    assertTrue(resumed.err().contains(HEAL_WARNING), "it stored again what was pruned: " + resumed.err());
    String healed = (String) resumed.json().get("id");
    expected.put(healed, frozenContent);
    sources.put(healed, a);

    cli.run("-r", repo, "check", "--read-data").assertSuccess();
    ChildCli.assertEverySnapshotRestores(cli, repo, temp.resolve("restored"), expected, sources);
  }

  /**
   * The hardest case: the backup has loaded the index and deduplicated against the only snapshot that
   * holds that data; another process forgets that snapshot and prunes it away, both phases, while the
   * backup is frozen. When it resumes it must store again whatever is gone and commit a complete snapshot.
   */
  @Test
  void aBackupFrozenAfterItDeduplicatedAgainstASnapshotThatIsThenPrunedAwayStoresItAgainAndCommits()
      throws Exception {
    Path old = Files.createDirectories(temp.resolve("old"));
    for (int i = 0; i < 4; i++) {
      ChildCli.writeRandom(old.resolve("x-" + i), 3 << 20, random);
    }
    String only = backup(old, "host-a");
    Set<String> itsPacks = children.packs();

    // The new source holds the same files first (the backup deduplicates them against that snapshot's
    // packs), then more new data than a pack.
    Path source = Files.createDirectories(temp.resolve("new"));
    for (int i = 0; i < 4; i++) {
      Files.copy(old.resolve("x-" + i), source.resolve("a-x-" + i));
    }
    for (int i = 0; i < 3; i++) {
      ChildCli.writeRandom(source.resolve("z-" + i), 12 << 20, random);
    }
    Map<String, String> content = ChildCli.digests(source);
    ChildCli.Child frozen = startAndFreeze(source, "host-c");

    List<String> forget = new ArrayList<>(List.of("--json", "forget", only, "--prune"));
    forget.addAll(List.of(SHORT_PRUNE));
    ChildCli.Outcome mark = start(forget.toArray(String[]::new)).await().assertSuccess();
    Map<?, ?> marked = (Map<?, ?>) mark.json().get("prune");
    assertTrue(((Number) marked.get("packs_marked")).longValue() > 0, mark.out());
    long[] abandoned = {0};
    ChildCli.await("a prune sweeps what the first one marked", Duration.ofSeconds(120), () -> {
      try {
        List<String> prune = new ArrayList<>(List.of("--json", "prune"));
        prune.addAll(List.of(SHORT_PRUNE));
        ChildCli.Outcome sweep = start(prune.toArray(String[]::new)).await().assertSuccess();
        abandoned[0] += ((Number) sweep.json().get("sessions_abandoned")).longValue();
        return ((Number) sweep.json().get("packs_deleted")).longValue() > 0;
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("prune failed", e);
      }
    });
    assertEquals(1, abandoned[0], "the frozen backup was judged abandoned");
    Set<String> left = new HashSet<>(itsPacks);
    left.retainAll(children.packs());
    assertEquals(Set.of(), left, "every pack of the forgotten snapshot is gone");

    frozen.signal("CONT");
    ChildCli.Outcome resumed = frozen.await().assertSuccess();
    assertTrue(resumed.err().contains(HEAL_WARNING), "it stored again what was pruned: " + resumed.err());
    String id = (String) resumed.json().get("id");
    assertTrue(((Number) resumed.json().get("new_bytes")).longValue() >= 4L * (3 << 20),
        "the pass that committed stored the forgotten snapshot's data again: " + resumed.out());

    ChildCli.Outcome check = children.run("check", "--read-data").assertSuccess();
    assertTrue(check.out().contains("no problems found"), check.out());
    Path target = temp.resolve("restored");
    cli.run("-r", repo, "restore", id, "--target", target).assertSuccess();
    assertEquals(content, ChildCli.digests(CliRunner.restored(target, source)));
  }
}
