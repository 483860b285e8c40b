package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.RepositoryOptions;
import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.repo.EngineHooks;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 512 MiB backup through the real CLI in a child JVM, killed with SIGKILL five times at seeded points
 * (chosen by how many pack bytes reached the repository, not by time), then run to completion. The
 * repository must pass {@code check --read-data}, and what was uploaded across all runs may exceed what
 * the repository needs by at most two checkpoints' worth plus the packs in flight: with the full key a
 * rerun finds even the packs uploaded after the last checkpoint through their headers.
 */
class KillDuringBackupProcessTest {
  private static final int FILES = 64;
  private static final int FILE_SIZE = 8 << 20;
  private static final long CHECKPOINT_BYTES = 32L << 20;
  private static final int KILLS = 5;

  @TempDir Path temp;

  @Test
  void fiveKillsThenACompleteRunUploadLittleTwiceAndLeaveASoundRepository() throws Exception {
    Random random = new Random(5_2026);
    Path source = generate(Files.createDirectories(temp.resolve("source")), random);
    Path config = temp.resolve("config");
    Path repo = temp.resolve("repo");
    CliRunner cli = new CliRunner(config);
    cli.run("-r", repo, "init").assertSuccess();

    int kills = 0;
    for (int run = 0; ; run++) {
      long before = LiveFiles.bytes(repo.resolve("data"));
      // Each kill lands after 24-56 MiB of new packs, so every run gets somewhere and five runs end early.
      long killAt = run < KILLS ? before + ((24L + random.nextInt(33)) << 20) : Long.MAX_VALUE;
      Process child = backup(config, repo, source, run);
      while (child.isAlive() && LiveFiles.bytes(repo.resolve("data")) < killAt) {
        child.waitFor(20, TimeUnit.MILLISECONDS);
      }
      if (child.isAlive()) {
        child.destroyForcibly();
        child.waitFor();
        // 128 + 9: the child died of SIGKILL, with no chance to clean up.
        assertEquals(137, child.exitValue(), "destroyForcibly sends SIGKILL on Linux");
        kills++;
        System.out.printf("kill %d: after %.1f MiB of packs in the repository%n", kills, LiveFiles.bytes(repo.resolve("data")) / 1048576.0);
        continue;
      }
      assertEquals(0, child.exitValue(), Files.readString(temp.resolve("backup-" + run + ".err")));
      break;
    }
    assertEquals(KILLS, kills, "every kill point was reached before the backup finished");

    CliRunner.Result check = cli.run("-r", repo, "check", "--read-data");
    assertEquals(0, check.code(), check.toString());

    // Nothing deletes blobs during backups, so the repository now holds every byte any run uploaded: packs,
    // and the partial files of uploads a kill cut short. It needs the packs less the chunks stored twice
    // (by a run that did not know of the first copy).
    long uploaded = LiveFiles.bytes(repo);
    long partial = partialUploadBytes(repo.resolve("data"));
    long duplicates = duplicateBytes(config, repo);
    long needed = uploaded - partial - duplicates;
    // Packs being filled or uploaded when a run is killed: data pack slots (one per thread) and uploads
    // in flight (at most twice the file store's concurrency of 4), plus the tree pack, each at most the
    // pack size plus two maximal chunks (the engine's own estimate of a pack's memory).
    long perPack = (16L << 20) + 2L * (4 << 20);
    long inFlight = (Runtime.getRuntime().availableProcessors() + 2L * 4 + 1) * perPack;
    long bound = needed + 2 * CHECKPOINT_BYTES + inFlight;
    System.out.printf("kill test: uploaded %.1f MiB across %d runs (%.1f MiB of it partial uploads cut short by the"
        + " kills, %.1f MiB chunks stored twice); the repository needs %.1f MiB; bound %.1f MiB (+ 2 x %d MiB"
        + " checkpoint + %.1f MiB in flight)%n", uploaded / 1048576.0, kills + 1, partial / 1048576.0,
        duplicates / 1048576.0, needed / 1048576.0, bound / 1048576.0, CHECKPOINT_BYTES >> 20, inFlight / 1048576.0);
    assertTrue(uploaded <= bound, "uploaded " + uploaded + " > bound " + bound);
  }

  /** Half incompressible, half text-like files, seeded. */
  private static Path generate(Path dir, Random random) throws IOException {
    byte[] buffer = new byte[FILE_SIZE];
    String[] words = {"backup", "chunk", "pack", "index", "snapshot", "tree", "key", "restore", "prune", "check"};
    for (int i = 0; i < FILES; i++) {
      if (i % 2 == 0) {
        random.nextBytes(buffer);
      } else {
        StringBuilder text = new StringBuilder(FILE_SIZE + 64);
        while (text.length() < FILE_SIZE) {
          text.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(random.nextBoolean() ? ' ' : '\n');
        }
        System.arraycopy(text.toString().getBytes(StandardCharsets.US_ASCII), 0, buffer, 0, FILE_SIZE);
      }
      Files.write(dir.resolve(String.format("file-%02d.bin", i)), buffer);
    }
    return dir;
  }

  private Process backup(Path config, Path repo, Path source, int run) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "--config-dir", config.toString(), "-r", repo.toString(), "backup", source.toString(),
        "--checkpoint-bytes", Long.toString(CHECKPOINT_BYTES), "--checkpoint-interval", "3600")
        .redirectOutput(temp.resolve("backup-" + run + ".out").toFile())
        .redirectError(temp.resolve("backup-" + run + ".err").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().keySet().removeIf(name -> name.startsWith("BAKARE_") || name.startsWith("JAVA_TOOL"));
    return builder.start();
  }

  /** Files under data/ that are not packs (64 hex digits): what uploads in progress had written when killed. */
  private static long partialUploadBytes(Path data) throws IOException {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().matches("[0-9a-f]{64}"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** Bytes of chunk copies beyond the first: what a run stored again because it did not know of a copy. */
  private static long duplicateBytes(Path config, Path repo) throws IOException {
    RepositoryOptions options = RepositoryOptions.builder().location(repo.toString()).configDirectory(config)
        .cacheDirectory(config.resolveSibling("engine-cache")).build();
    try (Engine engine = Engine.open(options, EngineHooks.DEFAULT)) {
      Map<ObjectId, Long> first = new HashMap<>();
      long[] duplicates = {0};
      engine.index(engine.packsInStorage()).forEach((ObjectId id, ChunkLocation location) -> {
        if (first.putIfAbsent(id, (long) location.storedLength()) != null) {
          duplicates[0] += location.storedLength();
        }
      });
      return duplicates[0];
    }
  }
}
