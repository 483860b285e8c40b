package dev.bakare.chunking.internal;

import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.ChunkerParameters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code fastcdc-v1}: keyed gear-hash content-defined chunking with normalized chunking (FastCDC, Xia et
 * al., USENIX ATC 2016 / IEEE TPDS 2020), normalization level 2. Repositories record this name, so the
 * definition below is frozen: any change of output needs a new name.
 *
 * <h2>Definition</h2>
 *
 * <p>Inputs: the parameters {@code min}, {@code avg}, {@code max} ({@code 64 <= min <= avg <= max}, {@code
 * avg = 2^b} a power of two), the repository's 32-byte chunker key {@code K}, and the bytes of the input.
 * All arithmetic is on unsigned 64-bit words modulo 2<sup>64</sup>; {@code <<} shifts left, dropping bits.
 *
 * <p><b>Gear table.</b> {@code G[0..255]} is derived from {@code K} alone: for each block counter {@code c =
 * 0..63}, {@code T_c = HMAC-SHA256(K, "bakare fastcdc-v1 gear" || BE32(c))}, where the label is its 22 ASCII
 * bytes with no terminator and {@code BE32(c)} is {@code c} as a 4-byte big-endian integer; then {@code
 * G[4c + j]} is bytes {@code 8j .. 8j+7} of {@code T_c} read as a big-endian 64-bit word, for {@code j =
 * 0..3}.
 *
 * <p><b>Window hash.</b> For a position {@code p} of the input (the index of a byte) with {@code p >= 63},
 * {@code H(p)} is the gear hash of the 64 bytes {@code x[p-63] .. x[p]}: start with {@code h = 0} and, for
 * each of these bytes {@code x} in order, set {@code h = (h << 1) + G[x]} (byte as unsigned, 0..255). Equally,
 * {@code H(p) = sum over i = 0..63 of (G[x[p-i]] << i)}: a byte older than 64 positions has been shifted
 * out, so {@code H(p)} is a rolling hash of exactly those 64 bytes, whatever came before them.
 *
 * <p><b>Masks.</b> {@code maskS} has the top {@code b + 2} bits set (bits {@code 63 .. 62-b}) and {@code
 * maskL} the top {@code b - 2} bits (bits {@code 63 .. 66-b}); all other bits are clear. Bit {@code k} of a
 * gear hash depends on its last {@code k + 1} bytes only, so high mask bits make every decision depend on
 * the whole 64-byte window, not on the last few bytes. For the default {@code avg = 2^20}: {@code maskS =
 * 0xFFFFFC0000000000} (22 bits), {@code maskL = 0xFFFFC00000000000} (18 bits).
 *
 * <p><b>Boundaries.</b> A chunk starting at input position {@code s}, with {@code r} bytes left in the
 * input, has length {@code n = min(r, max)} if {@code n <= min}. Otherwise its length is the smallest
 * {@code L} with {@code min <= L < n} such that {@code H(s + L - 1) & mask(L) == 0}, where {@code mask(L) =
 * maskS} if {@code L < avg} and {@code maskL} if {@code L >= avg}; if there is no such {@code L}, the length
 * is {@code n}. So the cut falls right after the last byte of a qualifying window; the window {@code x[s+L-64]
 * .. x[s+L-1]} always lies inside the chunk (as {@code min >= 64}), and hashing for a chunk starts at its
 * byte {@code min - 64}. Chunks follow each other: the next starts at {@code s + L}; the first at 0.
 *
 * <p>The strict mask before {@code avg} and the loose one after pull chunk lengths towards {@code avg}; on
 * random data the mean length with {@code min = avg / 4} and {@code max = 4 avg} is {@code 1.14 avg}.
 */
final class FastCdcChunker implements Chunker {
  /** The gear hash window: bytes older than this have been shifted out of the 64-bit hash. */
  static final int WINDOW = 64;

  /**
   * How many positions one call of {@link #scanSlice} judges at most. With one call per chunk, the hot loop
   * would run once per megabyte and HotSpot would compile it only by on-stack replacement; in slices its
   * method is invoked thousands of times per gigabyte and gets a normal compilation early, whatever the JVM's
   * OSR policy. (On JDK 17 here both reach full speed within the first 5 MiB.) The window hash needs no state
   * carried between slices; re-hashing 63 bytes per slice costs 0.4%.
   */
  private static final int SLICE = 1 << 14;

  private static final byte[] GEAR_LABEL = "bakare fastcdc-v1 gear".getBytes(StandardCharsets.US_ASCII);

  /**
   * The gear table with bit 63 of every entry flipped, and the hashes kept flipped too: {@code k = h +
   * 2^63} obeys the same recurrence with these entries ({@code 2 * 2^63 = 0 mod 2^64}), and {@code h & mask
   * == 0} for a mask of the top {@code t} bits is {@code h < 2^(64-t)} unsigned, which is {@code k <
   * Long.MIN_VALUE + 2^(64-t)} signed: one compare instead of a copy, an AND and a test per byte.
   */
  private final long[] flippedGear;

  private final int minSize;
  private final int averageSize;
  private final int maxSize;
  /** {@code maskS} and {@code maskL} as limits on the flipped hash, as {@link #flippedGear} explains. */
  private final long limitS;
  private final long limitL;

  FastCdcChunker(ChunkerParameters parameters, byte[] key) {
    int average = parameters.averageSize();
    if (Integer.bitCount(average) != 1) {
      throw new IllegalArgumentException(
          FastCdcChunkerFactory.NAME + " needs a power-of-two average chunk size, got " + average
              + "; use " + Integer.highestOneBit(average) + " or " + (Integer.highestOneBit(average) << 1));
    }
    int bits = Integer.numberOfTrailingZeros(average);
    long[] gear = gearTable(key);
    for (int i = 0; i < gear.length; i++) {
      gear[i] ^= Long.MIN_VALUE;
    }
    this.flippedGear = gear;
    this.minSize = parameters.minSize();
    this.averageSize = average;
    this.maxSize = parameters.maxSize();
    this.limitS = flippedLimit(maskS(bits));
    this.limitL = flippedLimit(maskL(bits));
  }

  /** {@code maskS} for {@code avg = 2^bits}: the top {@code bits + 2} bits. */
  static long maskS(int bits) {
    return -1L << (64 - (bits + 2));
  }

  /** {@code maskL} for {@code avg = 2^bits}: the top {@code bits - 2} bits. */
  static long maskL(int bits) {
    return -1L << (64 - (bits - 2));
  }

  private static long flippedLimit(long topBitsMask) {
    return Long.MIN_VALUE + Long.lowestOneBit(topBitsMask);
  }

  /** The gear table of {@code key}, as the class comment defines it. */
  static long[] gearTable(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException(
          FastCdcChunkerFactory.NAME + " needs the repository's 32-byte chunker key, got " + key.length
              + " bytes");
    }
    Mac mac;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException(FastCdcChunkerFactory.NAME + " cannot use the chunker key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks HmacSHA256, which every Java SE runtime must provide", e);
    }
    long[] table = new long[256];
    ByteBuffer counter = ByteBuffer.allocate(4);
    for (int block = 0; block < 64; block++) {
      mac.update(GEAR_LABEL);
      mac.update(counter.clear().putInt(block).array());
      ByteBuffer words = ByteBuffer.wrap(mac.doFinal());
      for (int j = 0; j < 4; j++) {
        table[4 * block + j] = words.getLong();
      }
    }
    return table;
  }

  @Override
  public int minSize() {
    return minSize;
  }

  @Override
  public int maxSize() {
    return maxSize;
  }

  @Override
  public int nextChunkLength(byte[] data, int offset, int length) {
    ChunkRanges.check(data, offset, length);
    int n = Math.min(length, maxSize);
    if (n <= minSize) {
      return n;
    }
    // Candidate lengths L in [min, n); the window of L ends at index offset + L - 1.
    int normalEnd = Math.max(minSize, Math.min(averageSize, n));
    int cut = scan(data, offset + minSize - 1, offset + normalEnd - 1, limitS);
    if (cut < 0) {
      cut = scan(data, offset + normalEnd - 1, offset + n - 1, limitL);
    }
    return cut < 0 ? n : cut + 1 - offset;
  }

  /**
   * The first {@code p} in {@code [from, to)} whose window hash passes the mask that {@code limit} stands
   * for, or -1. The window of {@code from}, {@code data[from - 63 .. from]}, must lie inside the chunk.
   */
  private int scan(byte[] data, int from, int to, long limit) {
    int start = from;
    while (start < to) {
      int end = to - start > SLICE ? start + SLICE : to;
      int cut = scanSlice(flippedGear, data, start, end, limit);
      if (cut >= 0) {
        return cut;
      }
      start = end;
    }
    return -1;
  }

  private static int scanSlice(long[] flippedGear, byte[] data, int from, int to, long limit) {
    long k = 0;
    for (int i = from - (WINDOW - 1); i < from; i++) {
      k = k + k + flippedGear[data[i] & 0xff];
    }
    for (int i = from; i < to; i++) {
      k = k + k + flippedGear[data[i] & 0xff];
      if (k < limit) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return FastCdcChunkerFactory.NAME + "(" + minSize + "/" + averageSize + "/" + maxSize + ")";
  }
}
