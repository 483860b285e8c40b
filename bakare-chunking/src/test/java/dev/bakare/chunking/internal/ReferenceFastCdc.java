package dev.bakare.chunking.internal;

import dev.bakare.chunking.ChunkerParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code fastcdc-v1} written down as literally as its definition in {@link FastCdcChunker}'s class comment,
 * with no regard for speed, to check the fast implementation against.
 */
final class ReferenceFastCdc {
  private ReferenceFastCdc() {}

  static long[] gear(byte[] key) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    long[] gear = new long[256];
    for (int c = 0; c < 64; c++) {
      byte[] label = "bakare fastcdc-v1 gear".getBytes(StandardCharsets.US_ASCII);
      byte[] message = new byte[label.length + 4];
      System.arraycopy(label, 0, message, 0, label.length);
      message[label.length] = (byte) (c >>> 24);
      message[label.length + 1] = (byte) (c >>> 16);
      message[label.length + 2] = (byte) (c >>> 8);
      message[label.length + 3] = (byte) c;
      byte[] t = mac.doFinal(message);
      for (int j = 0; j < 4; j++) {
        long word = 0;
        for (int q = 0; q < 8; q++) {
          word = (word << 8) | (t[8 * j + q] & 0xff);
        }
        gear[4 * c + j] = word;
      }
    }
    return gear;
  }

  /** A word with its top {@code count} bits set. */
  static long topBits(int count) {
    return ~(-1L >>> count);
  }

  static List<Integer> chunkLengths(byte[] key, ChunkerParameters parameters, byte[] x)
      throws GeneralSecurityException {
    long[] g = gear(key);
    int min = parameters.minSize();
    int avg = parameters.averageSize();
    int max = parameters.maxSize();
    int b = Integer.numberOfTrailingZeros(avg);
    long maskS = topBits(b + 2);
    long maskL = topBits(b - 2);
    List<Integer> lengths = new ArrayList<>();
    int s = 0;
    while (s < x.length) {
      int r = x.length - s;
      int n = Math.min(r, max);
      int length = n;
      if (n > min) {
        for (int candidate = min; candidate < n; candidate++) {
          long mask = candidate < avg ? maskS : maskL;
          if ((windowHash(g, x, s + candidate - 1) & mask) == 0) {
            length = candidate;
            break;
          }
        }
      }
      lengths.add(length);
      s += length;
    }
    return lengths;
  }

  /** H(p): the gear hash of x[p-63] .. x[p], from scratch. */
  static long windowHash(long[] g, byte[] x, int p) {
    long h = 0;
    for (int q = p - 63; q <= p; q++) {
      h = (h << 1) + g[x[q] & 0xff];
    }
    return h;
  }
}
