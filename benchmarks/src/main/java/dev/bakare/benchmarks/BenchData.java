package dev.bakare.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic inputs for the hot-path benchmarks: random bytes (incompressible, the worst case for
 * throughput) and log-like text (what compression is for), both from a fixed seed.
 */
final class BenchData {
  static final long SEED = 20261126L;

  private static final String[] LEVELS = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
  private static final String[] WORDS = {
    "request", "served", "user", "session", "opened", "closed", "timeout", "retry", "cache", "miss", "hit",
    "upload", "download", "checksum", "verified", "connection", "reset", "pool", "worker", "queue", "latency",
    "backend", "shard", "replica", "commit", "rollback", "index", "segment", "compaction", "flush"
  };
  private static final String[] COMPONENTS = {"http", "db", "auth", "storage", "scheduler", "gc", "rpc"};

  private BenchData() {}

  /** {@code size} random bytes from the fixed seed. */
  static byte[] random(int size) {
    byte[] data = new byte[size];
    new SplittableRandom(SEED).nextBytes(data);
    return data;
  }

  /**
   * {@code size} bytes of log lines (timestamps, levels, components, words, numbers, hex ids): zstd level 3
   * makes them about 5-8 times smaller, as it does real application logs.
   */
  static byte[] text(int size) {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    byte[] data = new byte[size];
    StringBuilder line = new StringBuilder(200);
    long millis = 1_764_000_000_000L;
    int at = 0;
    while (at < size) {
      line.setLength(0);
      millis += random.nextInt(50);
      line.append(millis / 1000).append('.').append(String.format("%03d", millis % 1000)).append(' ')
          .append(LEVELS[random.nextInt(LEVELS.length)]).append(" [")
          .append(COMPONENTS[random.nextInt(COMPONENTS.length)]).append('-').append(random.nextInt(16)).append("] ");
      int words = 4 + random.nextInt(10);
      for (int i = 0; i < words; i++) {
        line.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
      }
      line.append("id=").append(Long.toHexString(random.nextLong() & 0xffffffffffL))
          .append(" took=").append(random.nextInt(5000)).append("ms\n");
      byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
      int n = Math.min(bytes.length, size - at);
      System.arraycopy(bytes, 0, data, at, n);
      at += n;
    }
    return data;
  }

  static byte[] of(String kind, int size) {
    switch (kind) {
      case "random":
        return random(size);
      case "text":
        return text(size);
      default:
        throw new IllegalArgumentException("unknown data kind " + kind + " (random or text)");
    }
  }
}
