package dev.bakare.internal.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 32-byte identifier: a chunk id (keyed MAC of the plaintext), or the SHA-256 naming a pack, index
 * segment or snapshot. Immutable; ordered by unsigned bytes.
 */
public final class ObjectId implements Comparable<ObjectId> {
  public static final int LENGTH = 32;
  private static final HexFormat HEX = HexFormat.of();
  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  // The 32 bytes as four big-endian words, not an array: an id is then one object of 48 bytes instead of
  // two of 72, and comparing, hashing and the index's probes read fields rather than loop over bytes. A
  // no-change backup decodes an id per file of the parent snapshot and keeps a directory's worth of them.
  private final long w0;
  private final long w1;
  private final long w2;
  private final long w3;

  private ObjectId(long w0, long w1, long w2, long w3) {
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }

  /** The id of the 32 bytes of {@code bytes}, which is not kept. */
  public static ObjectId wrap(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("an object id has 32 bytes, got " + bytes.length);
    }
    return copyOf(bytes, 0);
  }

  public static ObjectId copyOf(byte[] bytes, int offset) {
    Objects.checkFromIndexSize(offset, LENGTH, bytes.length);
    return new ObjectId(word(bytes, offset), word(bytes, offset + 8), word(bytes, offset + 16),
        word(bytes, offset + 24));
  }

  private static long word(byte[] bytes, int offset) {
    return (long) BIG_ENDIAN_LONG.get(bytes, offset);
  }

  public static ObjectId read(ByteReader reader) throws CorruptDataException {
    reader.need(LENGTH, "a 32-byte id");
    return new ObjectId(reader.u64(), reader.u64(), reader.u64(), reader.u64());
  }

  /**
   * Parses 64 hex digits.
   *
   * @throws IllegalArgumentException if {@code hex} is not 64 hex digits
   */
  public static ObjectId fromHex(String hex) {
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("'" + hex + "' is not a 64-digit hex id");
    }
    return wrap(HEX.parseHex(hex));
  }

  public static boolean isHex(String text) {
    if (text.length() != 2 * LENGTH) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      // ASCII only: Character.digit also accepts other scripts' digits, which HexFormat then rejects.
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** Eight bytes of the id from {@code offset} (0 to 24), big-endian. */
  public long prefixLong(int offset) {
    int shift = (offset & 7) * 8;
    long word = wordAt(offset >>> 3);
    return shift == 0 ? word : word << shift | wordAt((offset >>> 3) + 1) >>> (64 - shift);
  }

  private long wordAt(int index) {
    return switch (index) {
      case 0 -> w0;
      case 1 -> w1;
      case 2 -> w2;
      case 3 -> w3;
      default -> throw new IndexOutOfBoundsException("eight bytes from offset " + 8 * index
          + " run past an id's 32 bytes");
    };
  }

  public void writeTo(ByteWriter writer) {
    writer.u64(w0).u64(w1).u64(w2).u64(w3);
  }

  public byte[] toBytes() {
    byte[] bytes = new byte[LENGTH];
    copyTo(bytes, 0);
    return bytes;
  }

  /** Copies the id into {@code target} at {@code offset}. */
  public void copyTo(byte[] target, int offset) {
    Objects.checkFromIndexSize(offset, LENGTH, target.length);
    BIG_ENDIAN_LONG.set(target, offset, w0);
    BIG_ENDIAN_LONG.set(target, offset + 8, w1);
    BIG_ENDIAN_LONG.set(target, offset + 16, w2);
    BIG_ENDIAN_LONG.set(target, offset + 24, w3);
  }

  public String hex() {
    return HEX.toHexDigits(w0) + HEX.toHexDigits(w1) + HEX.toHexDigits(w2) + HEX.toHexDigits(w3);
  }

  /** The first 8 hex digits, as shown to users. */
  public String shortHex() {
    return HEX.toHexDigits((int) (w0 >>> 32));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ObjectId o && w0 == o.w0 && w1 == o.w1 && w2 == o.w2 && w3 == o.w3;
  }

  /** The first four bytes, big-endian: ids are uniformly random. */
  @Override
  public int hashCode() {
    return (int) (w0 >>> 32);
  }

  /** By unsigned bytes, as the big-endian words compare unsigned. */
  @Override
  public int compareTo(ObjectId other) {
    int order = Long.compareUnsigned(w0, other.w0);
    if (order == 0) {
      order = Long.compareUnsigned(w1, other.w1);
      if (order == 0) {
        order = Long.compareUnsigned(w2, other.w2);
        if (order == 0) {
          order = Long.compareUnsigned(w3, other.w3);
        }
      }
    }
    return order;
  }

  @Override
  public String toString() {
    return hex();
  }
}
