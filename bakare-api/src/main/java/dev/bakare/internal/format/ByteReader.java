package dev.bakare.internal.format;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link ByteWriter} writes, checking every length against the bytes that remain, so forged
 * lengths fail with {@link CorruptDataException} instead of allocating or reading out of bounds.
 */
public final class ByteReader {
  private final byte[] data;
  private final int end;
  private int position;

  public ByteReader(byte[] data) {
    this(data, 0, data.length);
  }

  public ByteReader(byte[] data, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > data.length) {
      throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + data.length + " bytes");
    }
    this.data = data;
    this.position = offset;
    this.end = offset + length;
  }

  public int remaining() {
    return end - position;
  }

  public int position() {
    return position;
  }

  public int u8() throws CorruptDataException {
    need(1, "byte");
    return data[position++] & 0xFF;
  }

  public long u32() throws CorruptDataException {
    need(4, "u32");
    long v = ((data[position] & 0xFFL) << 24)
        | ((data[position + 1] & 0xFFL) << 16)
        | ((data[position + 2] & 0xFFL) << 8)
        | (data[position + 3] & 0xFFL);
    position += 4;
    return v;
  }

  /** A u32 that must fit a non-negative int and not exceed {@code max}. */
  public int u32AtMost(int max, String what) throws CorruptDataException {
    long v = u32();
    if (v > max) {
      throw new CorruptDataException(what + " " + v + " exceeds the limit " + max);
    }
    return (int) v;
  }

  public long u64() throws CorruptDataException {
    need(8, "u64");
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[position++] & 0xFFL);
    }
    return v;
  }

  public long varint() throws CorruptDataException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1, "varint");
      int b = data[position++] & 0xFF;
      if (shift == 63 && b > 1) {
        throw new CorruptDataException("varint overflows 64 bits");
      }
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new CorruptDataException("varint longer than 10 bytes");
  }

  /** A varint that must lie in {@code [0, max]}. */
  public long varintAtMost(long max, String what) throws CorruptDataException {
    long v = varint();
    if (v < 0 || v > max) {
      throw new CorruptDataException(what + " " + Long.toUnsignedString(v) + " exceeds the limit " + max);
    }
    return v;
  }

  /** A count of items each taking at least {@code minItemBytes}, checked against the remaining bytes. */
  public int count(int minItemBytes, String what) throws CorruptDataException {
    long n = varint();
    if (n < 0 || n > remaining() / Math.max(1, minItemBytes)) {
      throw new CorruptDataException(what + " count " + Long.toUnsignedString(n) + " cannot fit in " + remaining() + " bytes");
    }
    return (int) n;
  }

  public long zigzag() throws CorruptDataException {
    long v = varint();
    return (v >>> 1) ^ -(v & 1);
  }

  public byte[] bytes(int length) throws CorruptDataException {
    if (length < 0) {
      throw new CorruptDataException("negative length " + length);
    }
    need(length, length + " bytes");
    byte[] out = Arrays.copyOfRange(data, position, position + length);
    position += length;
    return out;
  }

  /** Moves past {@code length} bytes without copying them. */
  public void skip(int length, String what) throws CorruptDataException {
    if (length < 0) {
      throw new CorruptDataException("negative length " + length);
    }
    need(length, what);
    position += length;
  }

  public byte[] lengthPrefixed(int maxLength, String what) throws CorruptDataException {
    return bytes(lengthPrefix(maxLength, what));
  }

  /** A varint length of at most {@code maxLength}. */
  private int lengthPrefix(int maxLength, String what) throws CorruptDataException {
    long n = varint();
    if (n < 0 || n > maxLength) {
      throw new CorruptDataException(what + " length " + Long.toUnsignedString(n) + " exceeds " + maxLength);
    }
    return (int) n;
  }

  /** A length-prefixed string that must be valid UTF-8. */
  public String string(int maxLength, String what) throws CorruptDataException {
    return string(maxLength, what, "");
  }

  /**
   * A length-prefixed string that must be valid UTF-8; {@code likely} itself when the bytes spell it in
   * ASCII. A tree's nodes mostly repeat the previous node's owner and group and have no error: a new
   * string for each was a fifth of a decoded tree's heap.
   */
  public String string(int maxLength, String what, String likely) throws CorruptDataException {
    int length = lengthPrefix(maxLength, what);
    need(length, what);
    int start = position;
    position += length;
    if (spells(likely, start, length)) {
      return likely;
    }
    boolean ascii = true;
    for (int i = start; i < start + length; i++) {
      if (data[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      // Most names are ASCII, and a decoder per string is costly when a tree has thousands of them.
      return new String(data, start, length, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data, start, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptDataException(what + " is not valid UTF-8", e);
    }
  }

  /** Whether the {@code length} bytes at {@code start} are {@code text}, all of it ASCII. */
  private boolean spells(String text, int start, int length) {
    if (text.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      byte b = data[start + i];
      if (b < 0 || b != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Fails unless every byte was consumed: trailing bytes mean a format this decoder does not know. */
  public void expectEnd(String what) throws CorruptDataException {
    if (position != end) {
      throw new CorruptDataException(what + " has " + (end - position) + " unexpected trailing bytes");
    }
  }

  void need(int n, String what) throws CorruptDataException {
    if (end - position < n) {
      throw new CorruptDataException("truncated: needed " + what + " at offset " + position + " but only " + (end - position) + " bytes remain");
    }
  }
}
