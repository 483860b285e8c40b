package dev.bakare.chunking;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Inputs and splitting helpers shared by the chunking tests. */
public final class TestInputs {
  private TestInputs() {}

  /** {@code size} pseudo-random bytes, the same for the same seed. */
  public static byte[] randomBytes(long seed, int size) {
    byte[] data = new byte[size];
    new SplittableRandom(seed).nextBytes(data);
    return data;
  }

  /** A 32-byte key, the same for the same seed. */
  public static byte[] key(long seed) {
    return randomBytes(seed, 32);
  }

  /** The chunk lengths of {@code data}, found by calling the chunker directly on the whole array. */
  public static List<Integer> chunkLengths(Chunker chunker, byte[] data) {
    List<Integer> lengths = new ArrayList<>();
    int offset = 0;
    while (offset < data.length) {
      int length = chunker.nextChunkLength(data, offset, data.length - offset);
      lengths.add(length);
      offset += length;
    }
    return lengths;
  }
}
