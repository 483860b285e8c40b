package dev.bakare.benchmarks;

import dev.bakare.internal.content.ChunkHasher;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Chunk id throughput: the engine's {@link ChunkHasher} (HMAC-SHA256, fed in 16 KiB slices) against keyed
 * BLAKE3 from Bouncy Castle, over 32 MiB of random data cut into chunks of the default average size (1 MiB).
 * One operation is one byte and the unit is microseconds, so the score (ops/us) reads as MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ChunkIdBenchmark {
  private static final int SIZE = 32 << 20;

  @Param({"hmac-sha256", "blake3-keyed"})
  public String function = "hmac-sha256";

  @Param({"1048576"})
  public int chunkSize = 1 << 20;

  private byte[] data = new byte[0];
  private byte[] key = new byte[32];
  private ChunkHasher hasher = new ChunkHasher(new byte[32]);
  private Blake3Digest blake3 = new Blake3Digest(32);
  private final byte[] out = new byte[32];

  @Setup
  public void setUp() {
    data = BenchData.random(SIZE);
    new SplittableRandom(BenchData.SEED + 7).nextBytes(key);
    hasher = new ChunkHasher(key);
    blake3 = new Blake3Digest(32);
    blake3.init(Blake3Parameters.key(key.clone()));
  }

  @Benchmark
  @OperationsPerInvocation(SIZE)
  public void id(Blackhole bh) {
    for (int offset = 0; offset < SIZE; offset += chunkSize) {
      int length = Math.min(chunkSize, SIZE - offset);
      if (function.equals("hmac-sha256")) {
        bh.consume(hasher.hash(data, offset, length));
      } else {
        // doFinal resets the digest to its keyed initial state.
        blake3.update(data, offset, length);
        blake3.doFinal(out, 0);
        bh.consume(out);
      }
    }
  }
}
