package dev.bakare.internal.restore;

import java.io.IOException;
import java.util.Arrays;

/**
 * Writes file content at a position, leaving every all-zero 4 KiB block (aligned to the file) unwritten,
 * so it stays a hole: sparse files restore sparse, and zero-filled regions cost no disk.
 */
final class SparseWriter {
  static final int BLOCK = 4096;
  private static final byte[] ZEROS = new byte[BLOCK];
  private SparseWriter() {}

  /**
   * Writes {@code length} bytes of {@code data} from {@code from} at {@code fileOffset}; returns where the
   * last byte written ends in the file, or 0 if every block was zero.
   */
  static long write(RestoredFile file, byte[] data, int from, int length, long fileOffset) throws IOException {
    // pos counts bytes of the chunk, so that blocks align to the file; the array holds them from 'from'.
    int pos = 0;
    long end = 0;
    while (pos < length) {
      int blockEnd = blockEnd(fileOffset, pos, length);
      if (isZero(data, from + pos, from + blockEnd)) {
        pos = blockEnd;
        continue;
      }
      int runStart = pos;
      pos = blockEnd;
      while (pos < length) {
        int next = blockEnd(fileOffset, pos, length);
        if (isZero(data, from + pos, from + next)) {
          break;
        }
        pos = next;
      }
      file.write(data, from + runStart, pos - runStart, fileOffset + runStart);
      end = fileOffset + pos;
    }
    return end;
  }

  private static int blockEnd(long fileOffset, int pos, int length) {
    long inBlock = (fileOffset + pos) % BLOCK;
    return (int) Math.min(length, pos + (BLOCK - inBlock));
  }

  private static boolean isZero(byte[] data, int from, int to) {
    return Arrays.mismatch(data, from, to, ZEROS, 0, to - from) < 0;
  }
}
