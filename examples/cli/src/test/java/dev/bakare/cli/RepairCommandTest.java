package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairCommandTest {
  @TempDir Path temp;

  @Test
  void checkFindsADamagedIndexSegmentAndRepairIndexMendsIt() throws IOException {
    CliRunner cli = new CliRunner(temp.resolve("config"));
    Path repo = temp.resolve("repo");
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.writeString(source.resolve("a.txt"), "some content\n".repeat(1000));
    cli.run("-r", repo, "init").assertSuccess();
    cli.run("-r", repo, "backup", source).assertSuccess();
    Path segment;
    try (Stream<Path> files = Files.list(repo.resolve("index"))) {
      segment = files.findFirst().orElseThrow();
    }
    try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw")) {
      raf.seek(20);
      int b = raf.read();
      raf.seek(20);
      raf.write(b ^ 0x10);
    }
    CliRunner.Result damaged = cli.run("-r", repo, "check");
    assertEquals(1, damaged.code(), damaged.out() + damaged.err());
    assertTrue(damaged.err().contains("problem: index/" + segment.getFileName()), damaged.err());

    Path target = temp.resolve("target");
    cli.run("-r", repo, "restore", "latest", "--target", target).assertSuccess();

    CliRunner.Result repaired = cli.run("-r", repo, "repair", "index").assertSuccess();
    assertTrue(repaired.out().contains("removed 1 old segment"), repaired.out());
    cli.run("-r", repo, "check", "--read-data").assertSuccess();
    CliRunner.Result snapshots = cli.run("-r", repo, "repair", "snapshots").assertSuccess();
    assertTrue(snapshots.out().contains("0 snapshots repaired, 1 sound"), snapshots.out());
  }

  @Test
  void aCrashedPrunesLeaseHoldsOffRepairIndexUntilAShorterLeaseIsAsked() throws IOException {
    CliRunner cli = new CliRunner(temp.resolve("config"));
    Path repo = temp.resolve("repo");
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.writeString(source.resolve("a.txt"), "some content\n");
    cli.run("-r", repo, "init").assertSuccess();
    cli.run("-r", repo, "backup", source).assertSuccess();
    // What a prune that crashed 10 minutes ago leaves: its lease, never removed.
    Path lease = Files.createDirectories(repo.resolve("leases")).resolve("0000000000000007");
    Files.writeString(lease, "prune that crashed");
    Files.setLastModifiedTime(lease, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));

    CliRunner.Result refused = cli.run("-r", repo, "repair", "index");
    assertEquals(1, refused.code(), refused.out() + refused.err());
    assertTrue(refused.err().contains("holds the maintenance lease"), refused.err());
    assertTrue(refused.err().contains("1800 s"), "the default lease is 30 minutes: " + refused.err());
    assertEquals(2, cli.run("-r", repo, "repair", "index", "--lease", "0s").code(), "a lease of 0s is a usage error");

    cli.run("-r", repo, "repair", "index", "--lease", "5m").assertSuccess();
    assertTrue(Files.notExists(lease), "the stale lease was taken over and removed");
    cli.run("-r", repo, "check").assertSuccess();
  }
}
