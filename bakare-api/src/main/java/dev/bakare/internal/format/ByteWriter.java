package dev.bakare.internal.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Appends big-endian integers, unsigned LEB128 varints and length-prefixed bytes to a growing array. */
public final class ByteWriter {
  private byte[] buffer;
  private int size;

  public ByteWriter() {
    this(256);
  }

  public ByteWriter(int initialCapacity) {
    buffer = new byte[Math.max(16, initialCapacity)];
  }

  public int size() {
    return size;
  }

  /** Forgets what was written, keeping the buffer for reuse. */
  public void reset() {
    size = 0;
  }

  public ByteWriter u8(int value) {
    ensure(1);
    buffer[size++] = (byte) value;
    return this;
  }

  public ByteWriter u32(long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("u32 out of range: " + value);
    }
    ensure(4);
    buffer[size++] = (byte) (value >>> 24);
    buffer[size++] = (byte) (value >>> 16);
    buffer[size++] = (byte) (value >>> 8);
    buffer[size++] = (byte) value;
    return this;
  }

  public ByteWriter u64(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
    return this;
  }

  /** An unsigned LEB128 varint; {@code value} is treated as unsigned. */
  public ByteWriter varint(long value) {
    ensure(10);
    long v = value;
    while ((v & ~0x7FL) != 0) {
      buffer[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buffer[size++] = (byte) v;
    return this;
  }

  /** A signed value as a zig-zag varint, so small negative numbers stay short. */
  public ByteWriter zigzag(long value) {
    return varint((value << 1) ^ (value >> 63));
  }

  public ByteWriter bytes(byte[] value) {
    return bytes(value, 0, value.length);
  }

  public ByteWriter bytes(byte[] value, int offset, int length) {
    ensure(length);
    System.arraycopy(value, offset, buffer, size, length);
    size += length;
    return this;
  }

  /** A varint length followed by the bytes. */
  public ByteWriter lengthPrefixed(byte[] value) {
    varint(value.length);
    return bytes(value);
  }

  /** A varint length followed by the UTF-8 encoding. */
  public ByteWriter string(String value) {
    int length = value.length();
    for (int i = 0; i < length; i++) {
      if (value.charAt(i) >= 0x80) {
        return lengthPrefixed(value.getBytes(StandardCharsets.UTF_8));
      }
    }
    // ASCII, as most names are: its UTF-8 is its chars, written without an encoded copy.
    varint(length);
    ensure(length);
    for (int i = 0; i < length; i++) {
      buffer[size++] = (byte) value.charAt(i);
    }
    return this;
  }

  /** The buffer itself, valid from 0 to {@link #size()} until the next write; for callers that copy it anyway. */
  public byte[] array() {
    return buffer;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }

  private void ensure(int extra) {
    if (size + extra > buffer.length) {
      long wanted = Math.max((long) buffer.length * 2, (long) size + extra);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("encoded object exceeds 2 GiB");
      }
      buffer = Arrays.copyOf(buffer, (int) wanted);
    }
  }
}
