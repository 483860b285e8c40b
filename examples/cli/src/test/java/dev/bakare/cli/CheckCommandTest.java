package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {
  @TempDir Path temp;

  @Test
  void checkIsCleanThenNamesTheDamagedPackAndExitsOne() throws IOException {
    CliRunner cli = new CliRunner(temp.resolve("config"));
    Path repo = temp.resolve("repo");
    Path source = Files.createDirectories(temp.resolve("source"));
    byte[] data = new byte[200_000];
    new Random(5).nextBytes(data);
    Files.write(source.resolve("data.bin"), data);
    cli.run("-r", repo, "init").assertSuccess();
    cli.run("-r", repo, "backup", source).assertSuccess();

    CliRunner.Result clean = cli.run("-r", repo, "check", "--read-data").assertSuccess();
    assertTrue(clean.out().contains("no problems found"), clean.out());

    Path pack;
    try (Stream<Path> files = Files.walk(repo.resolve("data"))) {
      List<Path> packs = files.filter(Files::isRegularFile).sorted().toList();
      pack = packs.stream().max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
    }
    try (RandomAccessFile raf = new RandomAccessFile(pack.toFile(), "rw")) {
      raf.seek(50);
      int b = raf.read();
      raf.seek(50);
      raf.write(b ^ 0xFF);
    }
    assertEquals(0, cli.run("-r", repo, "check").code(), "structure alone does not read pack data");
    CliRunner.Result damaged = cli.run("-r", repo, "check", "--read-data");
    assertEquals(1, damaged.code(), damaged.out() + damaged.err());
    String packName = "data/" + pack.getParent().getFileName() + "/" + pack.getFileName();
    assertTrue(damaged.err().contains("problem: " + packName), damaged.err());
    assertTrue(damaged.err().contains(source.resolve("data.bin").toString()), "names the affected file: " + damaged.err());

    CliRunner.Result json = cli.run("-r", repo, "--json", "check", "--read-data-subset", "100%");
    assertEquals(1, json.code());
    assertTrue(json.out().contains("\"clean\":false"), json.out());
    cli.run("-r", repo, "check", "--read-data-subset", "0%").assertOneLineError(2, "between 1% and 100%");
  }
}
