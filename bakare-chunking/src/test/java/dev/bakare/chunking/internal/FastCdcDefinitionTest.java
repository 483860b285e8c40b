package dev.bakare.chunking.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.chunking.TestInputs;
import java.security.GeneralSecurityException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins {@code fastcdc-v1} to fixed vectors, so that its output can never drift: repositories depend on it.
 * The vectors were also reproduced by an independent implementation of the class comment's definition.
 */
class FastCdcDefinitionTest {
  private static final byte[] KEY_0_TO_31 = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      KEY_0_TO_31[i] = (byte) i;
    }
  }

  @Test
  void gearTableOfAFixedKey() {
    long[] gear = FastCdcChunker.gearTable(KEY_0_TO_31);

    // HMAC-SHA256(00 01 .. 1f, "bakare fastcdc-v1 gear" 00 00 00 00) = 774ab863949b0cbc c4e4dda8e366688f ...
    assertEquals(0x774ab863949b0cbcL, gear[0]);
    assertEquals(0xc4e4dda8e366688fL, gear[1]);
    // ... and of block 63 ends with 42445e0f1892ee5c.
    assertEquals(0x42445e0f1892ee5cL, gear[255]);
  }

  @Test
  void gearTableFollowsTheDefinition() throws GeneralSecurityException {
    byte[] key = TestInputs.key(44);

    assertArrayEquals(ReferenceFastCdc.gear(key), FastCdcChunker.gearTable(key));
  }

  @Test
  void masksAreTheTopBitsForTheAverage() {
    assertEquals(0xFFFFFC0000000000L, FastCdcChunker.maskS(20));
    assertEquals(0xFFFFC00000000000L, FastCdcChunker.maskL(20));
    for (int bits = 6; bits <= 26; bits++) {
      assertEquals(ReferenceFastCdc.topBits(bits + 2), FastCdcChunker.maskS(bits));
      assertEquals(ReferenceFastCdc.topBits(bits - 2), FastCdcChunker.maskL(bits));
    }
  }

  @Test
  void defaultParametersOnAFixedInput() {
    List<Integer> lengths =
        TestInputs.chunkLengths(
            new FastCdcChunkerFactory().create(ChunkerParameters.DEFAULT, KEY_0_TO_31), splitMix64(1, 8 << 20));

    assertEquals(List.of(682624, 1570110, 1822557, 1198607, 1052207, 1056117, 1006386), lengths);
  }

  @Test
  void smallParametersOnAFixedInput() throws GeneralSecurityException {
    ChunkerParameters parameters = new ChunkerParameters(64, 256, 1024);
    byte[] data = splitMix64(2, 8 << 10);
    List<Integer> expected =
        List.of(
            307, 287, 166, 287, 275, 114, 355, 316, 495, 271, 265, 263, 350, 178, 281, 264, 285, 356, 358, 285,
            302, 277, 295, 302, 344, 265, 196, 343, 110);

    assertEquals(expected, TestInputs.chunkLengths(new FastCdcChunkerFactory().create(parameters, KEY_0_TO_31), data));
    assertEquals(expected, ReferenceFastCdc.chunkLengths(KEY_0_TO_31, parameters, data));
  }

  @Test
  void agreesWithTheDefinitionOnChunksLongerThanOneScanSlice() throws GeneralSecurityException {
    ChunkerParameters parameters = new ChunkerParameters(4 << 10, 16 << 10, 96 << 10);
    byte[] data = TestInputs.randomBytes(42, 1 << 20);
    byte[] key = TestInputs.key(43);

    List<Integer> lengths = TestInputs.chunkLengths(new FastCdcChunkerFactory().create(parameters, key), data);

    assertEquals(ReferenceFastCdc.chunkLengths(key, parameters, data), lengths);
  }

  /** SplitMix64 outputs as little-endian bytes: a generator defined here, so these vectors never move. */
  static byte[] splitMix64(long seed, int size) {
    byte[] data = new byte[size];
    long state = seed;
    for (int i = 0; i < size; i += 8) {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      for (int q = 0; q < 8 && i + q < size; q++) {
        data[i + q] = (byte) (z >>> (8 * q));
      }
    }
    return data;
  }
}
