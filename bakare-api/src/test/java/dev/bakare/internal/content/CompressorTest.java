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
    byte[] out = new byte[Compressor.maxCompressedLength(text.length)];
    int compressed = compressor.compressUnlessIncompressible(text, 0, text.length, out, 0);
    assertTrue(compressed > 0 && compressed < text.length / 10, "compressed to " + compressed);
    assertArrayEquals(text, compressor.decompress(out, 0, compressed, text.length));
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

  private int probe(byte[] chunk) {
    byte[] out = new byte[Compressor.maxCompressedLength(chunk.length)];
    return compressor.compressUnlessIncompressible(chunk, 0, chunk.length, out, 0);
  }

  private byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
