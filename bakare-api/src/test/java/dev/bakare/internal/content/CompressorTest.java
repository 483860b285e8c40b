package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.CorruptDataException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompressorTest {
  private final Compressor compressor = new Compressor(3);
  private final Random random = new Random(11);

  @AfterEach
  void close() {
    compressor.close();
  }

  @Test
  void largeIncompressibleChunksAreLeftUncompressed() {
    assertEquals(-1, probe(randomBytes(1 << 20)));
    assertEquals(-1, probe(randomBytes(Compressor.PROBE_MIN_LENGTH)));
  }

  @Test
  void compressibleChunksAreCompressedAndRoundTrip() throws CorruptDataException {
    byte[] text = ("2026-11-26T18:00:00Z INFO request served in 12 ms by worker 3\n").repeat(20_000)
        .getBytes(StandardCharsets.US_ASCII);
    int compressed = probe(text);
    assertTrue(compressed > 0 && compressed < text.length / 10, "compressed to " + compressed);
    assertArrayEquals(text, compressor.decompress(lastOutput, 0, compressed, text.length));
  }

  /** One compressible sample is enough: the chunk is compressed whole, and only its compressible part shrinks. */
  @Test
  void aChunkCompressibleAtOneSampleIsCompressedWhole() {
    for (int zeroed : new int[] {0, 1, 2}) {
      byte[] chunk = randomBytes(1 << 20);
      int sampleStart = zeroed * ((chunk.length - Compressor.PROBE_SAMPLE) / 2);
      Arrays.fill(chunk, sampleStart, sampleStart + Compressor.PROBE_SAMPLE, (byte) 0);
      int compressed = probe(chunk);
      assertTrue(compressed > 0 && compressed < chunk.length - Compressor.PROBE_SAMPLE / 2,
          "sample " + zeroed + ": " + compressed);
    }
  }

  @Test
  void smallChunksAreCompressedWithoutProbing() {
    byte[] chunk = randomBytes(Compressor.PROBE_MIN_LENGTH - 1);
    assertTrue(probe(chunk) >= chunk.length, "random bytes do not shrink, and are still compressed");
  }

  /** What {@link #probe} compressed into. */
  private byte[] lastOutput = new byte[0];

  /**
   * As a backup stores a chunk: probes it in a buffer of only {@link Compressor#PROBE_BOUND} bytes, and
   * compresses it whole only if it is worth it; the compressed length, or -1.
   */
  private int probe(byte[] chunk) {
    if (!compressor.worthCompressing(chunk, 0, chunk.length, new byte[Compressor.PROBE_BOUND], 0)) {
      return -1;
    }
    lastOutput = new byte[Compressor.maxCompressedLength(chunk.length)];
    return compressor.compress(chunk, 0, chunk.length, lastOutput, 0);
  }

  private byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
