package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
