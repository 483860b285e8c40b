package dev.bakare.internal.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Writes file content at a position, leaving every all-zero 4 KiB block (aligned to the file) unwritten,
 * so it stays a hole: sparse files restore sparse, and zero-filled regions cost no disk.
 */
final class SparseWriter {
  static final int BLOCK = 4096;
  private static final byte[] ZEROS = new byte[BLOCK];
  /**
   * The most written at once: the JDK writes a heap array through a direct buffer as large as the write
   * and keeps it for the thread, so writing whole 4 MiB chunks would cost each restore thread 4 MiB of
   * native memory for the rest of the process.
   */
  private static final int WRITE_SLICE = 256 << 10;

  private SparseWriter() {}

  /**
   * Writes {@code length} bytes of {@code data} from {@code from} at {@code fileOffset}; returns where the
   * last byte written ends in the file, or 0 if every block was zero.
   */
  static long write(FileChannel channel, byte[] data, int from, int length, long fileOffset) throws IOException {
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
      long at = fileOffset + runStart;
      for (int done = runStart; done < pos; ) {
        int n = channel.write(ByteBuffer.wrap(data, from + done, Math.min(WRITE_SLICE, pos - done)), at);
        done += n;
        at += n;
      }
      end = at;
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
