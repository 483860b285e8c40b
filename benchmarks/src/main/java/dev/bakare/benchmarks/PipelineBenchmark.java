package dev.bakare.benchmarks;

import dev.bakare.chunking.ChunkStream;
import dev.bakare.internal.backup.DirectExecutorService;
import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.chunking.Chunkers;
import dev.bakare.internal.content.ChunkHasher;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.Compressor;
import dev.bakare.internal.content.ContentWriter;
import dev.bakare.internal.content.PackStaging;
import dev.bakare.internal.crypto.AeadAlgorithms;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The whole single-core write path as a backup worker runs it: {@link ChunkStream} over a channel (the
 * repository's keyed FastCDC, default sizes) -> chunk id (HMAC-SHA256) -> dedup lookup -> zstd -> AEAD seal
 * into a pack -> pack finished (header sealed, named by its SHA-256) -> "uploaded" into a {@link
 * MemoryBlobStore} (a copy), all on the benchmark thread. Each invocation stores 64 MiB into a fresh
 * repository (fresh index, store and writer), so nothing is deduplicated away. One operation is one byte of
 * input and the unit is microseconds: the score (ops/us) reads as MB/s on one core.
 *
 * <p>On a shared machine the score falls with the load, because the benchmark thread waits for a core. Each
 * iteration therefore also prints the rate per second of the thread's own CPU time ("cpu-rate"), which the
 * load does not dilute: it is what one fully available core would do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PipelineBenchmark {
  private static final int SIZE = 64 << 20;
  private static final int PACK_SIZE = 16 << 20;

  @Param({"random", "text"})
  public String data = "random";

  @Param({"3", "1"})
  public int level = 3;

  @Param({"aes-256-gcm"})
  public String cipher = "aes-256-gcm";

  private byte[] input = new byte[0];
  private Path directory = Path.of(".");
  private Sealing sealing = new Sealing(AeadAlgorithms.byName("aes-256-gcm").orElseThrow(), KeyMaterial.generate());
  private ChunkHasher hasher = new ChunkHasher(new byte[32]);
  private Compressor compressor = new Compressor(3);
  private ChunkStream stream = new ChunkStream(Chunkers.factory(Chunkers.DEFAULT).create(ChunkerParameters.DEFAULT,
      new byte[32]));
  private ChunkIndex index;
  private ContentWriter writer;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long cpuStart;
  private long cpuNanos;
  private long cpuBytes;

  @Setup(Level.Trial)
  public void setUpTrial() throws IOException {
    input = BenchData.of(data, SIZE);
    directory = Files.createTempDirectory("bakare-pipeline-bench");
    KeyMaterial keys = KeyMaterial.generate();
    sealing = new Sealing(AeadAlgorithms.byName(cipher).orElseThrow(), keys);
    hasher = new ChunkHasher(keys.chunkIdKey());
    compressor = new Compressor(level);
    Chunker chunker = Chunkers.factory(Chunkers.DEFAULT).create(ChunkerParameters.DEFAULT, keys.chunkerKey());
    stream = new ChunkStream(chunker);
  }

  @Setup(Level.Invocation)
  public void setUpInvocation() throws IOException {
    index = ChunkIndex.create(directory);
    // Uploads run at once on the calling thread: the whole pipeline on the benchmark's one core.
    writer = new ContentWriter(new MemoryBlobStore(), sealing, hasher, compressor, index, PACK_SIZE, 1, 2,
        new DirectExecutorService(), PackStaging.inMemory());
    cpuStart = threads.getCurrentThreadCpuTime();
  }

  @TearDown(Level.Invocation)
  public void tearDownInvocation() {
    cpuNanos += threads.getCurrentThreadCpuTime() - cpuStart;
    cpuBytes += SIZE;
    index.close();
  }

  @TearDown(Level.Iteration)
  public void tearDownIteration() {
    if (cpuNanos > 0) {
      System.out.printf(" [cpu-rate %.0f MB/s]", cpuBytes / (cpuNanos / 1e3));
    }
    cpuNanos = 0;
    cpuBytes = 0;
  }

  @TearDown(Level.Trial)
  public void tearDownTrial() throws IOException {
    ContentWriter.Stats stats = writer.stats();
    System.out.printf("%n[last invocation: %d chunks, %d bytes stored of %d, %d packs]%n", stats.newChunks(),
        stats.storedBytes(), stats.newBytes(), stats.packs());
    compressor.close();
    try (var files = Files.list(directory)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(directory);
  }

  /** Returns the number of packs, so that the work cannot be optimized away. */
  @Benchmark
  @OperationsPerInvocation(SIZE)
  public int backup() throws IOException {
    ContentWriter w = writer;
    stream.split(new RepeatingChannel(input, input.length),
        (buffer, offset, length) -> w.write(ChunkType.DATA, buffer, offset, length));
    return w.flush().size();
  }
}
