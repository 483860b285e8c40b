package dev.bakare.internal.format;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte identifier: a chunk id (keyed MAC of the plaintext), or the SHA-256 naming a pack, index
 * segment or snapshot. Immutable; ordered by unsigned bytes.
 */
public final class ObjectId implements Comparable<ObjectId> {
  public static final int LENGTH = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;
  private final int hash;

  private ObjectId(byte[] bytes) {
    this.bytes = bytes;
    // Ids are uniformly random, so four of their bytes make a good hash code.
    this.hash = (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
  }

  /** Takes ownership of {@code bytes}, which must be 32 bytes long. */
  public static ObjectId wrap(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("an object id has 32 bytes, got " + bytes.length);
    }
    return new ObjectId(bytes);
  }

  public static ObjectId copyOf(byte[] bytes, int offset) {
    return new ObjectId(Arrays.copyOfRange(bytes, offset, offset + LENGTH));
  }

  public static ObjectId read(ByteReader reader) throws CorruptDataException {
    return new ObjectId(reader.bytes(LENGTH));
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
    return new ObjectId(HEX.parseHex(hex));
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

  /** Eight bytes of the id from {@code offset}, big-endian. */
  public long prefixLong(int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[offset + i] & 0xFFL);
    }
    return v;
  }

  public void writeTo(ByteWriter writer) {
    writer.bytes(bytes);
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Copies the id into {@code target} at {@code offset}. */
  public void copyTo(byte[] target, int offset) {
    System.arraycopy(bytes, 0, target, offset, LENGTH);
  }

  public String hex() {
    return HEX.formatHex(bytes);
  }

  /** The first 8 hex digits, as shown to users. */
  public String shortHex() {
    return HEX.formatHex(bytes, 0, 4);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ObjectId o && hash == o.hash && Arrays.equals(bytes, o.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(ObjectId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
