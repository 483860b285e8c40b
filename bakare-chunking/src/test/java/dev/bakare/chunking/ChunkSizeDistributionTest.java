package dev.bakare.chunking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chunk sizes of {@code fastcdc-v1} on random data. With min = avg / 4 and max = 4 avg the definition gives a
 * mean of 1.141 avg, about 6% of chunks below avg / 2, 1.5% at 2 avg or more, and a peak just past avg
 * where the looser mask takes over: normalized chunking at work.
 */
class ChunkSizeDistributionTest {
  private static final ChunkerFactory FASTCDC = Chunkers.factory("fastcdc-v1");

  @Test
  void smallChunksFollowTheNormalizedDistribution() {
    int average = 4 << 10;
    Chunker chunker = FASTCDC.create(new ChunkerParameters(average / 4, average, 4 * average), TestInputs.key(1));
    List<Integer> lengths = TestInputs.chunkLengths(chunker, TestInputs.randomBytes(2, 32 << 20));
    List<Integer> full = lengths.subList(0, lengths.size() - 1);

    double mean = full.stream().mapToInt(Integer::intValue).average().orElseThrow() / average;
    assertTrue(mean > 1.10 && mean < 1.18, "mean chunk length " + mean + " x average, expected 1.141");
    assertTrue(full.stream().allMatch(n -> n >= chunker.minSize() && n <= chunker.maxSize()));

    double belowHalf = fraction(full, 0, average / 2);
    double twiceOrMore = fraction(full, 2 * average, Integer.MAX_VALUE);
    double atMax = fraction(full, chunker.maxSize(), Integer.MAX_VALUE);
    assertTrue(belowHalf > 0.04 && belowHalf < 0.085, "fraction below avg/2: " + belowHalf + ", expected 0.061");
    assertTrue(twiceOrMore < 0.03, "fraction at 2 avg or more: " + twiceOrMore + ", expected 0.015");
    assertTrue(atMax < 0.001, "fraction cut at max: " + atMax);

    double justBefore = fraction(full, average * 3 / 4, average);
    double justAfter = fraction(full, average, average * 5 / 4);
    assertTrue(
        justAfter > 5 * justBefore,
        "expected the peak just past avg (" + justAfter + ", about 0.52) to dwarf the quarter before it ("
            + justBefore + ", about 0.054)");
  }

  @Test
  void defaultParametersAverageAboutOneMebibyte() {
    Chunker chunker = FASTCDC.create(ChunkerParameters.DEFAULT, TestInputs.key(3));
    List<Integer> lengths = TestInputs.chunkLengths(chunker, TestInputs.randomBytes(4, 128 << 20));
    List<Integer> full = lengths.subList(0, lengths.size() - 1);

    double mean = full.stream().mapToInt(Integer::intValue).average().orElseThrow() / (1 << 20);
    assertTrue(mean > 0.95 && mean < 1.35, "mean chunk length " + mean + " MiB over " + full.size() + " chunks");
    assertEquals(0.0, fraction(full, 0, chunker.minSize()));
  }

  /** The fraction of {@code lengths} in {@code [from, to)}. */
  private static double fraction(List<Integer> lengths, int from, int to) {
    return (double) lengths.stream().filter(n -> n >= from && n < to).count() / lengths.size();
  }
}
