package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForgetPruneCommandTest {
  @TempDir Path temp;
  CliRunner cli;
  Path repo;
  Path source;
  Random random = new Random(21);

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliRunner(temp.resolve("config"));
    repo = temp.resolve("repo");
    source = Files.createDirectories(temp.resolve("source"));
    cli.run("-r", repo, "init").assertSuccess();
  }

  private String backup(String host, String... more) throws IOException {
    Files.write(source.resolve("file-" + random.nextInt(1_000_000)), bytes(50_000));
    List<String> args = new java.util.ArrayList<>(List.of("-r", repo.toString(), "--json", "backup", "--host", host));
    args.addAll(List.of(more));
    args.add(source.toString());
    CliRunner.Result result = cli.run(args.toArray()).assertSuccess();
    return JsonParser.object(result.out()).get("id").toString();
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private List<Object> snapshotIds() {
    List<Object> ids = new java.util.ArrayList<>();
    for (Object s : (List<?>) JsonParser.parse(cli.run("-r", repo, "--json", "snapshots").assertSuccess().out())) {
      ids.add(((Map<?, ?>) s).get("id"));
    }
    return ids;
  }

  @Test
  void aPolicyDryRunShowsWhatGoesAndWhatStaysWithReasonsAndChangesNothing() throws IOException {
    String a1 = backup("a");
    String a2 = backup("a");
    String a3 = backup("a", "--tag", "precious");
    String b1 = backup("b");

    CliRunner.Result dry = cli.run("-r", repo, "forget", "--keep-last", "1", "--keep-tag", "precious", "--dry-run")
        .assertSuccess();
    assertTrue(dry.out().contains("keep 2 snapshots:"), dry.out());
    assertTrue(dry.out().contains(a3.substring(0, 8)) && dry.out().contains("(last, tag precious)"), dry.out());
    assertTrue(dry.out().contains(b1.substring(0, 8) + "  "), dry.out());
    assertTrue(dry.out().contains("would forget 2 snapshots:"), dry.out());
    assertTrue(dry.out().contains(a1.substring(0, 8)) && dry.out().contains(a2.substring(0, 8)), dry.out());
    assertEquals(4, snapshotIds().size(), "a dry run forgets nothing");

    CliRunner.Result json = cli.run("-r", repo, "--json", "forget", "--keep-last", "1", "--host", "a", "--dry-run")
        .assertSuccess();
    Map<String, Object> parsed = JsonParser.object(json.out());
    assertEquals(true, parsed.get("dry_run"));
    assertEquals(2, ((List<?>) parsed.get("removed")).size());
    List<?> kept = (List<?>) parsed.get("kept");
    assertEquals(1, kept.size(), "--host a leaves b's snapshot alone: neither kept nor forgotten");
    assertEquals(a3, ((Map<?, ?>) kept.get(0)).get("id"));
    assertEquals(List.of("last"), ((Map<?, ?>) kept.get(0)).get("reasons"));
    assertEquals(JsonParser.NULL, parsed.get("prune"));

    CliRunner.Result real = cli.run("-r", repo, "forget", "--keep-last", "1").assertSuccess();
    assertTrue(real.out().contains("forgot 2 snapshots:"), real.out());
    assertTrue(real.out().contains("run 'bakare prune' to reclaim the space"), real.out());
    assertEquals(List.of(a3, b1).stream().sorted().toList(), snapshotIds().stream().map(Object::toString).sorted().toList());
  }

  @Test
  void forgetsSnapshotsByIdThenPruneMarksAndALaterPruneDeletes() throws IOException {
    String first = backup("a");
    String second = backup("a");
    CliRunner.Result forgot = cli.run("-r", repo, "forget", first.substring(0, 6)).assertSuccess();
    assertTrue(forgot.out().contains("forgot 1 snapshot:\n  " + first.substring(0, 8)), forgot.out());
    assertEquals(List.of(second), snapshotIds());

    CliRunner.Result dry = cli.run("-r", repo, "prune", "--grace", "0s", "--dry-run").assertSuccess();
    assertTrue(dry.out().contains("would mark "), dry.out());
    List<Path> before = blobs();
    CliRunner.Result mark = cli.run("-r", repo, "prune", "--grace", "0s").assertSuccess();
    assertTrue(mark.out().contains("as unused; a later prune deletes") && mark.out().contains("after the grace period (0s)"),
        mark.out());
    assertTrue(blobs().containsAll(before.stream().filter(p -> p.toString().contains("/data/")).toList()),
        "marking deletes nothing");

    CliRunner.Result sweep = cli.run("-r", repo, "--json", "prune", "--grace", "0s", "--max-unused", "0%").assertSuccess();
    Map<String, Object> result = JsonParser.object(sweep.out());
    assertTrue(((Number) result.get("packs_deleted")).longValue() > 0, sweep.out());
    assertEquals(List.of(), result.get("waiting_for"));
    assertEquals(false, result.get("dry_run"));

    CliRunner.Result idle = cli.run("-r", repo, "prune").assertSuccess();
    assertEquals("nothing to delete or mark: every pack is in use\n", idle.out());
    cli.run("-r", repo, "check", "--read-data").assertSuccess();
  }

  @Test
  void pruneRemovesWhatABackupKilledDuringAPutLeftAndSaysSo() throws IOException {
    backup("a");
    // The temporary file of a put whose process was killed two hours ago, and one of a put running now.
    Path stale = Files.createDirectories(repo.resolve("data/00")).resolve("~put-0123456789abcdef");
    Files.write(stale, new byte[3000]);
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path running = repo.resolve("data/00/~put-fedcba9876543210");
    Files.write(running, new byte[10]);

    CliRunner.Result pruned = cli.run("-r", repo, "prune").assertSuccess();
    assertTrue(pruned.out().contains("removed 2.9 KiB left by uploads that never finished (backups killed during a"
        + " put, more than 1h ago)"), pruned.out());
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(running), "a put younger than the session expiry may still be running");
    Files.setLastModifiedTime(running, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    CliRunner.Result json = cli.run("-r", repo, "--json", "prune").assertSuccess();
    assertEquals(10L, ((Number) JsonParser.object(json.out()).get("incomplete_upload_bytes")).longValue(), json.out());
  }

  @Test
  void forgetWithPruneRunsBoth() throws IOException {
    backup("a");
    backup("a");
    CliRunner.Result both = cli.run("-r", repo, "forget", "--keep-last", "1", "--prune", "--grace", "0s")
        .assertSuccess();
    assertTrue(both.out().contains("forgot 1 snapshot:"), both.out());
    assertTrue(both.out().contains("marked "), both.out());
    assertFalse(both.out().contains("run 'bakare prune'"), both.out());
    CliRunner.Result json = cli.run("-r", repo, "--json", "forget", "--keep-last", "1", "--prune", "--grace", "0s")
        .assertSuccess();
    Map<?, ?> prune = (Map<?, ?>) JsonParser.object(json.out()).get("prune");
    assertTrue(((Number) prune.get("packs_deleted")).longValue() > 0, json.out());
  }

  @Test
  void pruneReturnsAtLeastNinetyPercentOfThirtyPercentGarbage() throws IOException {
    for (int i = 0; i < 10; i++) {
      Files.write(source.resolve("file" + i), bytes(300_000));
    }
    cli.run("-r", repo, "backup", source).assertSuccess();
    for (int i = 0; i < 3; i++) {
      Files.delete(source.resolve("file" + (i * 3)));
    }
    cli.run("-r", repo, "backup", source).assertSuccess();
    cli.run("-r", repo, "forget", "--keep-last", "1").assertSuccess();
    long before = size(repo);
    Path fresh = temp.resolve("fresh");
    cli.run("-r", fresh, "init").assertSuccess();
    cli.run("-r", fresh, "backup", source).assertSuccess();
    long garbage = before - size(fresh);
    assertTrue(garbage > before * 0.25, "about 30% garbage: " + garbage + " of " + before);

    cli.run("-r", repo, "prune", "--grace", "0s").assertSuccess();
    cli.run("-r", repo, "prune", "--grace", "0s", "--lease", "5m").assertSuccess();
    long reclaimed = before - size(repo);
    assertTrue(reclaimed >= 0.9 * garbage, "reclaimed " + reclaimed + " of " + garbage + " bytes of garbage");
    cli.run("-r", repo, "check", "--read-data").assertSuccess();
  }

  @Test
  void backupTakesAHeartbeat() throws IOException {
    Files.writeString(source.resolve("a"), "a");
    cli.run("-r", repo, "backup", "--heartbeat", "500ms", source).assertSuccess();
    cli.run("-r", repo, "backup", "--heartbeat", "0s", source).assertOneLineError(Main.USAGE, "--heartbeat must be longer");
    cli.run("-r", repo, "backup", "--heartbeat", "5x", source)
        .assertOneLineError(Main.USAGE, "'5x' is not a duration");
  }

  @Test
  void commandLinesThatMakeNoSenseAreUsageErrors() throws IOException {
    String id = backup("a");
    cli.run("-r", repo, "forget").assertOneLineError(Main.USAGE, "say what to forget");
    cli.run("-r", repo, "forget", "--host", "a").assertOneLineError(Main.USAGE, "give at least one --keep rule");
    cli.run("-r", repo, "forget", id, "--keep-last", "1").assertOneLineError(Main.USAGE, "not both");
    cli.run("-r", repo, "forget", "--keep-last", "-1").assertOneLineError(Main.USAGE, "must not be negative");
    cli.run("-r", repo, "forget", "--keep-last", "1", "--grace", "1s")
        .assertOneLineError(Main.USAGE, "go with --prune");
    cli.run("-r", repo, "forget", "--keep-within", "1 day").assertOneLineError(Main.USAGE, "is not a duration");
    cli.run("-r", repo, "prune", "--grace", "soon").assertOneLineError(Main.USAGE, "'soon' is not a duration");
    cli.run("-r", repo, "prune", "--session-expiry", "0s").assertOneLineError(Main.USAGE, "longer than 0s");
    cli.run("-r", repo, "prune", "--max-unused", "150%").assertOneLineError(Main.USAGE, "between 0% and 100%");
    cli.run("-r", repo, "prune", "--lease", "0s").assertOneLineError(Main.USAGE, "--lease must be longer than 0s");
    cli.run("-r", repo, "forget", "--keep-last", "1", "--lease", "5m")
        .assertOneLineError(Main.USAGE, "go with --prune");
    cli.run("-r", repo, "forget", "ffff").assertOneLineError(Main.FAILURE, "no snapshot matches 'ffff'");
    assertEquals(1, snapshotIds().size());
  }

  private List<Path> blobs() throws IOException {
    try (Stream<Path> walk = Files.walk(repo)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
