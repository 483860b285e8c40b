package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.chunking.ChunkerParameters;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prune on a repository of a million chunks, in a JVM whose heap is the configured memory limit. Slow to
 * build (a backup of 150 MB in chunks of about 150 bytes), so it runs in the nightly profile, or with
 * {@code -Dbakare.pruneMemory=true}; {@code bakare.pruneMemory.chunks} and {@code .heap} change its size.
 */
@EnabledIfSystemProperty(named = "bakare.pruneMemory", matches = "true")
class PruneMemoryTest {
  @TempDir Path temp;

  @Test
  void pruneOfAMillionChunksFitsTheMemoryLimit() throws Exception {
    int chunks = Integer.getInteger("bakare.pruneMemory.chunks", 1_000_000);
    String heap = System.getProperty("bakare.pruneMemory.heap", "256m");
    Path source = Files.createDirectories(temp.resolve("source"));
    // Chunks of about 150 bytes (64..256, FastCDC's normal form): files of 128 KiB in directories of ten,
    // so that no tree is large.
    int files = (int) Math.ceil(chunks * 156.0 / (128 << 10));
    SplittableRandom random = new SplittableRandom(1);
    byte[] content = new byte[128 << 10];
    for (int i = 0; i < files; i++) {
      Path dir = Files.createDirectories(source.resolve("d" + (i / 10)));
      random.nextBytes(content);
      Files.write(dir.resolve("f" + i), content);
    }
    TestRepo repo = new TestRepo(temp);
    long indexed;
    try (Repository r = Repository.init(repo.options().chunkerParameters(new ChunkerParameters(64, 128, 256))
        .build())) {
      Snapshot all = r.backup(BackupRequest.of(source));
      indexed = r.engine().index().chunkCount();
      // Half of the directories go: after forgetting the first snapshot, half of the chunks are garbage.
      for (int d = 0; d < files / 10; d += 2) {
        TestFiles.deleteTree(source.resolve("d" + d));
      }
      r.backup(BackupRequest.of(source));
      r.forget(List.of(all.id()), false);
    }
    assertTrue(indexed >= chunks, "built " + indexed + " chunks, wanted " + chunks);

    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-Xlog:gc:file=" + temp.resolve("gc.log"), "-cp", System.getProperty("java.class.path"), PruneInBoundedMemory.class.getName(),
        repo.location.toString(), repo.configDirectory.toString()));
    Path out = temp.resolve("prune.out");
    Process prune = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    assertTrue(prune.waitFor(30, TimeUnit.MINUTES), "prune still ran after 30 minutes");
    String printed = Files.readString(out, StandardCharsets.UTF_8) + "heap before the fullest collection: "
        + peakMegabytes(temp.resolve("gc.log")) + " MiB\n";
    System.out.println("prune of " + indexed + " chunks with -Xmx" + heap + ":\n" + printed);
    assertEquals(0, prune.exitValue(), "prune of " + indexed + " chunks did not fit -Xmx" + heap + ":\n" + printed);
    try (Repository r = repo.open()) {
      assertTrue(r.check(CheckRequest.structure()).isClean());
    }
  }

  /** The most heap in use before any collection, from a log of {@code -Xlog:gc} ("12M->3M(256M)"). */
  private static long peakMegabytes(Path gcLog) throws IOException {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)M->\\d+M\\(\\d+M\\)")
        .matcher(Files.readString(gcLog, StandardCharsets.UTF_8));
    long peak = 0;
    while (m.find()) {
      peak = Math.max(peak, Long.parseLong(m.group(1)));
    }
    return peak;
  }
}
