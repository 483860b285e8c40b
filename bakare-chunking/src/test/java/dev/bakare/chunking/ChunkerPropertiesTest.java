package dev.bakare.chunking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class ChunkerPropertiesTest {

  /** A chunker's name with parameters that suit it. */
  record Setup(String algorithm, ChunkerParameters parameters) {}

  /**
   * FastCDC with power-of-two averages up to 16 KiB, fixed-size with any average up to 20,000 bytes, and
   * min = average = max among them. Maximum sizes above 51 KiB make {@link ChunkStream}'s buffer exactly
   * 1.25 times the maximum, its tightest case.
   */
  @Provide
  Arbitrary<Setup> setups() {
    Arbitrary<Integer> powersOfTwo = Arbitraries.integers().between(7, 14).map(bits -> 1 << bits);
    Arbitrary<Integer> anySize = Arbitraries.integers().between(ChunkerParameters.MIN_SIZE_FLOOR, 20_000);
    return Arbitraries.oneOf(
        parameters(powersOfTwo, 1, 8).map(p -> new Setup("fastcdc-v1", p)),
        parameters(anySize, 1, 8).map(p -> new Setup("fixed-v1", p)));
  }

  /** FastCDC parameters that leave room for content-defined cuts: min <= average / 2, max >= 2 * average. */
  @Provide
  Arbitrary<ChunkerParameters> roomyParameters() {
    return parameters(Arbitraries.integers().between(7, 14).map(bits -> 1 << bits), 2, 2);
  }

  private static Arbitrary<ChunkerParameters> parameters(Arbitrary<Integer> averages, int minDivisor, int maxFactor) {
    return averages.flatMap(
        average ->
            Combinators.combine(
                    Arbitraries.integers().between(ChunkerParameters.MIN_SIZE_FLOOR, average / minDivisor),
                    Arbitraries.integers().between(average * maxFactor, 8 * average))
                .as((min, max) -> new ChunkerParameters(min, average, max)));
  }

  @Property(tries = 200)
  void chunksConcatenateToTheInputAndRespectTheBounds(
      @ForAll("setups") Setup setup,
      @ForAll long keySeed,
      @ForAll long dataSeed,
      @ForAll @IntRange(max = 400_000) int size)
      throws IOException {
    Chunker chunker = Chunkers.factory(setup.algorithm()).create(setup.parameters(), TestInputs.key(keySeed));
    byte[] data = TestInputs.randomBytes(dataSeed, size);

    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    List<Integer> lengths = new ArrayList<>();
    long total =
        new ChunkStream(chunker)
            .split(
                TestInputs.shortReads(data, dataSeed, 70_000),
                (buffer, offset, length) -> {
                  joined.write(buffer, offset, length);
                  lengths.add(length);
                });

    assertEquals(size, total);
    assertArrayEquals(data, joined.toByteArray());
    for (int i = 0; i < lengths.size(); i++) {
      int length = lengths.get(i);
      int floor = i == lengths.size() - 1 ? 1 : chunker.minSize();
      assertTrue(
          floor <= length && length <= chunker.maxSize(),
          "chunk " + i + " of " + lengths.size() + " has length " + length + ", outside [" + floor + ", "
              + chunker.maxSize() + "]");
    }
  }

  @Property(tries = 100)
  void boundariesArePureFunctionsOfKeyAndBytesWhateverTheReadSizes(
      @ForAll("setups") Setup setup,
      @ForAll long keySeed,
      @ForAll long dataSeed,
      @ForAll @IntRange(max = 400_000) int size,
      @ForAll @IntRange(min = 1, max = 20_000) int maxRead)
      throws IOException {
    byte[] key = TestInputs.key(keySeed);
    byte[] data = TestInputs.randomBytes(dataSeed, size);
    ChunkerFactory factory = Chunkers.factory(setup.algorithm());
    List<Integer> direct = TestInputs.chunkLengths(factory.create(setup.parameters(), key), data);

    // A second chunker from a copy of the key, fed the input in pieces of other sizes.
    Chunker again = factory.create(setup.parameters(), key.clone());
    assertEquals(direct, TestInputs.chunkLengths(again, data.clone()));
    ChunkStream stream = new ChunkStream(again);
    assertEquals(direct, TestInputs.streamLengths(stream, TestInputs.shortReads(data, dataSeed + 1, maxRead)));
    assertEquals(
        direct,
        TestInputs.streamLengths(
            stream, Channels.newChannel(TestInputs.shortReadStream(data, dataSeed + 2, 1 + maxRead / 3))));
    List<Integer> fromStream = new ArrayList<>();
    stream.split(
        TestInputs.shortReadStream(data, dataSeed + 3, maxRead), (buffer, offset, length) -> fromStream.add(length));
    assertEquals(direct, fromStream);
  }

  /**
   * The contract {@link ChunkStream} relies on to keep less than twice the largest chunk in memory: a cut
   * found in the first bytes of an input is the cut of the whole input.
   */
  @Property(tries = 300)
  void aCutBeforeTheEndOfTheBytesShownIsTheCutOfTheWholeInput(
      @ForAll("setups") Setup setup,
      @ForAll long keySeed,
      @ForAll long dataSeed,
      @ForAll @IntRange(min = 1, max = 200_000) int shown) {
    Chunker chunker = Chunkers.factory(setup.algorithm()).create(setup.parameters(), TestInputs.key(keySeed));
    byte[] data = TestInputs.randomBytes(dataSeed, chunker.maxSize() + 1);
    int part = Math.min(shown, data.length);

    int cut = chunker.nextChunkLength(data, 0, part);

    if (cut < part) {
      assertEquals(chunker.nextChunkLength(data, 0, data.length), cut, "cut in the first " + part + " bytes");
    }
  }

  @Property(tries = 50)
  void anotherKeyCutsTheSameDataElsewhere(
      @ForAll("roomyParameters") ChunkerParameters parameters,
      @ForAll long keySeed,
      @ForAll long otherKeySeed,
      @ForAll long dataSeed) {
    byte[] key = TestInputs.key(keySeed);
    byte[] otherKey = TestInputs.key(otherKeySeed);
    Assume.that(!Arrays.equals(key, otherKey));
    // About 100 content-defined cuts or more.
    byte[] data = TestInputs.randomBytes(dataSeed, 64 * parameters.maxSize());
    ChunkerFactory fastCdc = Chunkers.factory("fastcdc-v1");

    List<Integer> cuts = TestInputs.chunkLengths(fastCdc.create(parameters, key), data);
    List<Integer> otherCuts = TestInputs.chunkLengths(fastCdc.create(parameters, otherKey), data);

    assertNotEquals(cuts, otherCuts);
  }
}
