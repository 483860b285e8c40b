package dev.bakare.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.BackupRequest;
import dev.bakare.CheckRequest;
import dev.bakare.CheckResult;
import dev.bakare.Repository;
import dev.bakare.RepositoryOptions;
import dev.bakare.RestoreResult;
import dev.bakare.Snapshot;
import dev.bakare.store.testkit.FaultProxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups through the public API into s3proxy on loopback: through a proxy that resets, cuts and stalls
 * connections, and two at once into one repository.
 */
class S3EndToEndTest {
  private static final int MIB = 1 << 20;

  private static S3Server server;

  @TempDir static Path serverFiles;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.onDisk(serverFiles);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private static RepositoryOptions.Builder options(String location, Map<String, String> storage, Path keys) {
    return RepositoryOptions.builder().location(location).storageOptions(storage).configDirectory(keys);
  }

  @Test
  void aBackupThroughResetsCutsAndStallsCompletesAndRestoresByteIdentical(@TempDir Path temp) throws Exception {
    Path source = temp.resolve("source");
    long size = TestTree.write(source, 20261126, 2000, 50, List.of(30 * MIB, 36 * MIB, 40 * MIB));
    assertTrue(size >= 200L * MIB, "the tree has " + size + " bytes");
    server.createBucket("flaky");
    String location = "s3://flaky/repo";
    Path keys = temp.resolve("keys");

    FaultProxy proxy =
        FaultProxy.builder("127.0.0.1", server.port())
            .seed(20261126)
            // Per window of traffic (4 MiB on average): a 16 MiB pack upload meets a reset or cut about
            // two times in five, and stalls of up to 3.5 s, some longer than the 2 s timeout below.
            .resetProbability(0.08)
            .cutProbability(0.04)
            .stallProbability(0.10)
            .stallDuration(Duration.ofMillis(200), Duration.ofMillis(3500))
            .faultWindowBytes(8 * MIB)
            .build()
            .start();
    // A 2 s timeout turns the longer stalls into timeouts, which are retried like resets.
    Map<String, String> flaky =
        S3Server.with(S3Server.options(URI.create(proxy.httpEndpoint())), "s3.timeout", "2s");
    Snapshot snapshot;
    Path target = temp.resolve("restored");
    long backupMillis;
    long restoreMillis;
    try (RetryLog log = new RetryLog(); proxy) {
      long start = System.nanoTime();
      try (Repository repository = Repository.init(options(location, flaky, keys).build())) {
        snapshot = repository.backup(BackupRequest.of(source));
      }
      backupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      start = System.nanoTime();
      try (Repository repository = Repository.open(options(location, flaky, keys).build())) {
        RestoreResult result = repository.restore(snapshot.id(), target);
        assertTrue(result.isComplete(), "restore errors: " + result.errors());
      }
      restoreMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      long retries = log.retries().size();
      long struck = proxy.resets() + proxy.cuts();
      System.out.printf(
          "end-to-end through the fault proxy: %d MiB tree, backup %d ms, restore %d ms%n%s%n"
              + "resets and cuts: %d of %d connections (%.1f%%)%nretries: %d, by cause: %s%n%s%n",
          size / MIB, backupMillis, restoreMillis, proxy.summary(), struck, proxy.connections(),
          100.0 * struck / proxy.connections(), retries, log.causes(), String.join("\n", log.summaries()));
      assertTrue(struck >= 0.10 * proxy.connections(), "at least 10% of connections reset or cut: " + proxy.summary());
      assertTrue(proxy.stalls() > 0, proxy.summary());
      assertTrue(retries > 0, "the faults must have caused retries");
      // A summary is logged when a repository with retries closes; whether the restore met faults depends on
      // how its reads fall into the proxy's fault windows, so at least the backup's is there.
      assertFalse(log.summaries().isEmpty(), "the retry summary is logged: " + log.summaries());
    }
    assertFalse(snapshot.isPartial(), "errors: " + snapshot.errors());
    assertEquals(TestTree.digests(source), TestTree.digests(TestTree.restored(target, source)));

    // Every chunk referenced by the snapshot resolves to a pack that exists, checked without the proxy.
    try (Repository direct = Repository.open(options(location, server.options(), keys).build())) {
      CheckResult check = direct.check(CheckRequest.structure());
      assertTrue(check.isClean(), "check found problems: " + check);
    }
  }

  @Test
  void twoBackupsOfOneTreeAtOnceBothCommitAndRestore(@TempDir Path temp) throws Exception {
    Path source = temp.resolve("source");
    TestTree.write(source, 7, 300, 8, List.of(12 * MIB));
    server.createBucket("shared");
    String location = "s3://shared/team/repo";
    Path keys = temp.resolve("keys");
    try (Repository created = Repository.init(options(location, server.options(), keys).build())) {
      assertEquals(List.of(), created.snapshots());
    }

    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Snapshot> snapshots = new ArrayList<>();
    try {
      List<Future<Snapshot>> running = new ArrayList<>();
      for (String host : List.of("host-a", "host-b")) {
        Callable<Snapshot> backup = () -> {
          try (Repository repository = Repository.open(options(location, server.options(), keys).build())) {
            return repository.backup(BackupRequest.builder().path(source).host(host).build());
          }
        };
        running.add(pool.submit(backup));
      }
      for (Future<Snapshot> future : running) {
        snapshots.add(future.get(5, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }

    Map<String, String> expected = TestTree.digests(source);
    try (Repository repository = Repository.open(options(location, server.options(), keys).build())) {
      assertEquals(2, repository.snapshots().size(), "both snapshots are listed");
      for (Snapshot snapshot : snapshots) {
        Path target = temp.resolve("restored-" + snapshot.host());
        RestoreResult result = repository.restore(snapshot.id(), target);
        assertTrue(result.isComplete(), "restore errors: " + result.errors());
        assertEquals(expected, TestTree.digests(TestTree.restored(target, source)), "restore of " + snapshot.host());
      }
      CheckResult check = repository.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), "check found problems: " + check);
    }
  }
}
