package dev.bakare.chunking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ParameterValidationTest {
  private static final byte[] KEY = TestInputs.key(1);

  @Test
  void parametersMustBeOrderedAndWithinLimits() {
    assertMessage(() -> new ChunkerParameters(63, 256, 1024), "minSize 63 is below 64");
    assertMessage(() -> new ChunkerParameters(512, 256, 1024), "min <= average <= max");
    assertMessage(() -> new ChunkerParameters(64, 2048, 1024), "min <= average <= max");
    assertMessage(() -> new ChunkerParameters(64, 256, (64 << 20) + 1), "maxSize 67108865 is above 67108864");
  }

  @ParameterizedTest
  @ValueSource(ints = {3000, 1000, (1 << 20) + 1, 3 << 18})
  void fastCdcNeedsAPowerOfTwoAverage(int average) {
    ChunkerParameters parameters = new ChunkerParameters(64, average, 16 << 20);
    int below = Integer.highestOneBit(average);

    assertMessage(
        () -> Chunkers.factory("fastcdc-v1").create(parameters, KEY),
        "power-of-two average chunk size, got " + average + "; use " + below + " or " + 2 * below);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 31, 33, 64})
  void fastCdcNeedsA32ByteKey(int keyLength) {
    assertMessage(
        () -> Chunkers.factory("fastcdc-v1").create(ChunkerParameters.DEFAULT, new byte[keyLength]),
        "32-byte chunker key, got " + keyLength + " bytes");
  }

  @Test
  void fixedSizeIgnoresTheKeyAndUsesTheAverage() {
    Chunker chunker = Chunkers.factory("fixed-v1").create(new ChunkerParameters(100, 1000, 5000), new byte[0]);

    assertEquals(1000, chunker.minSize());
    assertEquals(1000, chunker.maxSize());
    assertEquals(1000, chunker.nextChunkLength(new byte[2500], 0, 2500));
    assertEquals(500, chunker.nextChunkLength(new byte[2500], 2000, 500));
  }

  @Test
  void namesAreFoundAndUnknownNamesListTheKnownOnes() {
    assertEquals("fastcdc-v1", Chunkers.DEFAULT);
    assertEquals("fastcdc-v1", Chunkers.factory(Chunkers.DEFAULT).name());
    assertEquals("fixed-v1", Chunkers.factory("fixed-v1").name());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chunkers.factory("rabin"));
    assertTrue(e.getMessage().contains("unknown chunker 'rabin'"), e.getMessage());
    assertTrue(e.getMessage().contains("(available: fastcdc-v1, fixed-v1)"), e.getMessage());
    assertTrue(e.getMessage().contains("put the jar that provides it on the class or module path"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"fastcdc-v1", "fixed-v1"})
  void chunkersRejectRangesOutsideTheArray(String name) {
    Chunker chunker = Chunkers.factory(name).create(new ChunkerParameters(64, 256, 1024), KEY);
    byte[] data = new byte[100];

    assertMessage(() -> chunker.nextChunkLength(data, 0, 0), "shown 0 bytes");
    assertMessage(() -> chunker.nextChunkLength(data, 10, -1), "shown -1 bytes");
    assertMessage(() -> chunker.nextChunkLength(data, -1, 10), "range [-1, -1 + 10) lies outside the 100-byte array");
    assertMessage(() -> chunker.nextChunkLength(data, 95, 6), "range [95, 95 + 6) lies outside");
    assertMessage(() -> chunker.nextChunkLength(data, Integer.MAX_VALUE, 1), "lies outside");
    assertEquals(5, chunker.nextChunkLength(data, 95, 5));
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
  }
}
