package dev.bakare.benchmarks;

import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.AeadAlgorithms;
import java.nio.ByteBuffer;
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
 * Sealing and opening 1 MiB chunks through the engine's {@link AeadAlgorithm}s as a pack does (the engine's
 * {@code JdkAead} feeds the cipher in 16 KiB slices), with a fresh nonce per chunk and 33 bytes of associated
 * data (type and chunk id). One operation is one plaintext byte; the unit makes the score read as MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AeadBenchmark {
  private static final int SIZE = 32 << 20;
  private static final int CHUNK = 1 << 20;

  @Param({"aes-256-gcm", "chacha20-poly1305"})
  public String cipher = "aes-256-gcm";

  private byte[] plain = new byte[0];
  private byte[] sealed = new byte[0];
  private byte[] out = new byte[0];
  private final byte[] associatedData = new byte[33];
  private Aead aead = AeadAlgorithms.byName("aes-256-gcm").orElseThrow().withKey(new byte[32]);
  private long counter;

  @Setup
  public void setUp() {
    plain = BenchData.random(SIZE);
    byte[] key = new byte[32];
    new SplittableRandom(BenchData.SEED + 3).nextBytes(key);
    aead = AeadAlgorithms.byName(cipher)
        .orElseThrow(() -> new IllegalArgumentException("no AEAD named " + cipher))
        .withKey(key);
    // Sealed with the offsets as nonces, as in a pack, for open() to read back.
    sealed = new byte[SIZE + (SIZE / CHUNK) * AeadAlgorithm.TAG_LENGTH];
    int at = 0;
    for (int offset = 0; offset < SIZE; offset += CHUNK) {
      at += aead.seal(nonce(at), associatedData, plain, offset, CHUNK, sealed, at);
    }
    out = new byte[CHUNK + AeadAlgorithm.TAG_LENGTH];
    counter = 1L << 40;
  }

  private static byte[] nonce(long value) {
    return ByteBuffer.allocate(AeadAlgorithm.NONCE_LENGTH).putInt(0).putLong(value).array();
  }

  @Benchmark
  @OperationsPerInvocation(SIZE)
  public int seal() {
    int total = 0;
    for (int offset = 0; offset < SIZE; offset += CHUNK) {
      // A nonce never used with this key: the JDK refuses to encrypt twice under one key and nonce.
      total += aead.seal(nonce(counter++), associatedData, plain, offset, CHUNK, out, 0);
    }
    return total;
  }

  @Benchmark
  @OperationsPerInvocation(SIZE)
  public int open() throws Exception {
    int total = 0;
    int length = CHUNK + AeadAlgorithm.TAG_LENGTH;
    for (int at = 0; at < sealed.length; at += length) {
      total += aead.open(nonce(at), associatedData, sealed, at, length, out, 0);
    }
    return total;
  }
}
