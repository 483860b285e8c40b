package dev.bakare.benchmarks;

import dev.bakare.internal.content.Compressor;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * zstd through the engine's {@link Compressor} (pooled native contexts), per 1 MiB chunk, at levels 1 and 3,
 * on random (incompressible) and log-like text data; {@code decompress} is the restore side. One operation is
 * one input (plaintext) byte and the unit is microseconds, so the score reads as MB/s of plaintext. The
 * compressed size is printed once per trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CompressionBenchmark {
  private static final int SIZE = 32 << 20;
  private static final int CHUNK = 1 << 20;

  @Param({"1", "3"})
  public int level = 3;

  @Param({"random", "text"})
  public String data = "random";

  private byte[] input = new byte[0];
  private byte[] output = new byte[0];
  private byte[][] frames = new byte[0][];
  private Compressor compressor = new Compressor(3);

  @Setup
  public void setUp() {
    input = BenchData.of(data, SIZE);
    compressor = new Compressor(level);
    output = new byte[Compressor.maxCompressedLength(CHUNK)];
    frames = new byte[SIZE / CHUNK][];
    long stored = 0;
    for (int i = 0; i < frames.length; i++) {
      int n = compressor.compress(input, i * CHUNK, CHUNK, output, 0);
      frames[i] = java.util.Arrays.copyOf(output, n);
      stored += n;
    }
    System.out.printf("%n[zstd level %d on %s: %d -> %d bytes, ratio %.2f]%n", level, data, SIZE, stored,
        (double) SIZE / stored);
  }

  @TearDown
  public void tearDown() {
    compressor.close();
  }

  @Benchmark
  @OperationsPerInvocation(SIZE)
  public int compress() {
    int total = 0;
    for (int offset = 0; offset < SIZE; offset += CHUNK) {
      total += compressor.compress(input, offset, CHUNK, output, 0);
    }
    return total;
  }

  @Benchmark
  @OperationsPerInvocation(SIZE)
  public int decompress() throws Exception {
    int total = 0;
    for (byte[] frame : frames) {
      total += compressor.decompress(frame, 0, frame.length, CHUNK).length;
    }
    return total;
  }
}
