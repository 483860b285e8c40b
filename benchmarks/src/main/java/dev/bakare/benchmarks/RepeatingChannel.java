package dev.bakare.benchmarks;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** A blocking channel that serves {@code size} bytes by repeating {@code pattern}, with no I/O. */
final class RepeatingChannel implements ReadableByteChannel {
  private final byte[] pattern;
  private final long size;
  private long served;
  private boolean open = true;

  RepeatingChannel(byte[] pattern, long size) {
    if (pattern.length == 0 && size > 0) {
      throw new IllegalArgumentException("an empty pattern cannot fill " + size + " bytes");
    }
    this.pattern = pattern;
    this.size = size;
  }

  @Override
  public int read(ByteBuffer target) {
    if (served == size) {
      return -1;
    }
    int offset = (int) (served % pattern.length);
    int n = (int) Math.min(Math.min(target.remaining(), size - served), pattern.length - offset);
    target.put(pattern, offset, n);
    served += n;
    return n;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
