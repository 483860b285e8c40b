package dev.bakare.benchmarks;

import dev.bakare.chunking.ChunkStream;
import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.chunking.Chunkers;
import java.io.IOException;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chunking throughput on 64 MiB of random data with the default parameters. One operation is one byte and
 * the unit is microseconds, so the score in ops/us reads as MB/s (10^6 bytes per second).
 *
 * <p>{@code split} calls the chunker once per chunk on an in-memory array; {@code stream} goes through
 * {@link ChunkStream} from a channel, as the backup engine does, and so includes copying into its buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ChunkerBenchmark {
  private static final int SIZE = 64 << 20;

  @Param({"fastcdc-v1", "fixed-v1"})
  public String algorithm = Chunkers.DEFAULT;

  private byte[] data = new byte[0];
  private Chunker chunker = Chunkers.factory(Chunkers.DEFAULT).create(ChunkerParameters.DEFAULT, new byte[32]);
  private ChunkStream stream = new ChunkStream(chunker);

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(20261126);
    data = new byte[SIZE];
    random.nextBytes(data);
    byte[] key = new byte[32];
    random.nextBytes(key);
    chunker = Chunkers.factory(algorithm).create(ChunkerParameters.DEFAULT, key);
    stream = new ChunkStream(chunker);
  }

  /** Returns the number of chunks, so that the work cannot be optimized away. */
  @Benchmark
  @OperationsPerInvocation(SIZE)
  public int split() {
    int chunks = 0;
    for (int offset = 0; offset < data.length; chunks++) {
      offset += chunker.nextChunkLength(data, offset, data.length - offset);
    }
    return chunks;
  }

  /** Returns the number of chunks, so that the work cannot be optimized away. */
  @Benchmark
  @OperationsPerInvocation(SIZE)
  public int stream() throws IOException {
    int[] chunks = {0};
    stream.split(new RepeatingChannel(data, data.length), (buffer, offset, length) -> chunks[0]++);
    return chunks[0];
  }
}
