package dev.bakare.chunking.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.chunking.TestInputs;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The fast {@code fastcdc-v1} cuts exactly where the literal {@link ReferenceFastCdc} does. */
class FastCdcAgreesWithDefinitionTest {

  enum Content {
    RANDOM,
    ZEROS,
    PERIODIC,
    FOUR_SYMBOLS
  }

  /** Small sizes, so that the quadratic reference stays quick; min = average = max included. */
  @Provide
  Arbitrary<ChunkerParameters> parameters() {
    return Arbitraries.integers()
        .between(6, 11)
        .flatMap(
            bits -> {
              int average = 1 << bits;
              return Combinators.combine(
                      Arbitraries.integers().between(ChunkerParameters.MIN_SIZE_FLOOR, average),
                      Arbitraries.integers().between(average, 16 * average))
                  .as((min, max) -> new ChunkerParameters(min, average, max));
            });
  }

  @Property(tries = 300)
  void fastImplementationAgreesWithTheDefinition(
      @ForAll("parameters") ChunkerParameters parameters,
      @ForAll long keySeed,
      @ForAll Content content,
      @ForAll long dataSeed,
      @ForAll @IntRange(max = 40_000) int size)
      throws GeneralSecurityException {
    byte[] key = TestInputs.key(keySeed);
    byte[] data = content(content, dataSeed, size);

    Chunker chunker = new FastCdcChunkerFactory().create(parameters, key);

    assertEquals(ReferenceFastCdc.chunkLengths(key, parameters, data), TestInputs.chunkLengths(chunker, data));
  }

  private static byte[] content(Content content, long seed, int size) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] data = new byte[size];
    switch (content) {
      case RANDOM -> random.nextBytes(data);
      case ZEROS -> Arrays.fill(data, (byte) 0);
      case PERIODIC -> {
        byte[] period = new byte[1 + random.nextInt(200)];
        random.nextBytes(period);
        for (int i = 0; i < size; i++) {
          data[i] = period[i % period.length];
        }
      }
      case FOUR_SYMBOLS -> {
        for (int i = 0; i < size; i++) {
          data[i] = (byte) "ACGT".charAt(random.nextInt(4));
        }
      }
    }
    return data;
  }
}
