package dev.bakare.benchmarks;

import dev.bakare.chunking.ChunkStream;
import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.chunking.Chunkers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Chunking speed from a cold JVM, as a backup starts: {@link ChunkStream} over a channel, one chunker call
 * per chunk, default parameters. JMH warms up first and so cannot show how long the JIT takes to compile the
 * hot loop when each call handles a whole megabyte.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.bakare.benchmarks.ColdChunking [GiB]
 * [chunker]}. The input is 64 MiB of random data, served again and again up to the size asked for (1 GiB by
 * default); the report gives the overall rate and the rate of each 64 MiB. On a shared machine, the rate
 * per second of this thread's CPU time is the steadier figure: it leaves out time the thread waited for a
 * core (and the JIT's own threads).
 */
public final class ColdChunking {
  private static final int PATTERN = 64 << 20;

  private ColdChunking() {}

  public static void main(String[] args) throws IOException {
    long size = (args.length > 0 ? Long.parseLong(args[0]) : 1) << 30;
    String name = args.length > 1 ? args[1] : Chunkers.DEFAULT;

    SplittableRandom random = new SplittableRandom(20261126);
    byte[] pattern = new byte[PATTERN];
    random.nextBytes(pattern);
    byte[] key = new byte[32];
    random.nextBytes(key);

    // A cold start includes creating the chunker, whose gear table needs the JDK's first HMAC.
    long[] marks = new long[(int) ((size + PATTERN - 1) / PATTERN) + 1];
    long[] progress = {0, 0};
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long startCpu = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    Chunker chunker = Chunkers.factory(name).create(ChunkerParameters.DEFAULT, key);
    marks[0] = System.nanoTime();
    long total =
        new ChunkStream(chunker)
            .split(
                new RepeatingChannel(pattern, size),
                (buffer, offset, length) -> {
                  long before = progress[0];
                  progress[0] += length;
                  progress[1]++;
                  // Record when each 64 MiB boundary of the input was passed.
                  for (long mark = before / PATTERN + 1; mark <= progress[0] / PATTERN; mark++) {
                    marks[(int) mark] = System.nanoTime();
                  }
                });
    long end = System.nanoTime();
    long cpu = threads.getCurrentThreadCpuTime() - startCpu;

    StringBuilder laps = new StringBuilder();
    for (int i = 1; i < marks.length && marks[i] != 0; i++) {
      laps.append(i == 1 ? "" : " ").append(Math.round(PATTERN / ((marks[i] - marks[i - 1]) / 1e3)));
    }
    System.out.printf(
        "%s cold: created in %.0f ms, then %d MiB in %d chunks in %.3f s: %.0f MB/s (%.0f MB/s with creation,"
            + " %.0f MB per CPU second with creation)%nper 64 MiB (MB/s): %s%n",
        chunker,
        (marks[0] - start) / 1e6,
        total >> 20,
        progress[1],
        (end - marks[0]) / 1e9,
        total / ((end - marks[0]) / 1e3),
        total / ((end - start) / 1e3),
        total / (cpu / 1e3),
        laps);
  }
}
