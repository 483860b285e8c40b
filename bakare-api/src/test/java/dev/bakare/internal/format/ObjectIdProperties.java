package dev.bakare.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * An id keeps its 32 bytes as four words; every view of it must be that of the bytes: their order (trees
 * and index segments are sorted by id), their hex (blob names), their first bytes (the index's probes and
 * hash codes) and their encoding.
 */
class ObjectIdProperties {
  @Property
  void everyViewOfAnIdIsThatOfItsBytes(@ForAll @Size(32) byte[] bytes, @ForAll @IntRange(max = 24) int offset)
      throws CorruptDataException {
    ObjectId id = ObjectId.wrap(bytes.clone());
    assertArrayEquals(bytes, id.toBytes());
    String hex = HexFormat.of().formatHex(bytes);
    assertEquals(hex, id.hex());
    assertEquals(hex.substring(0, 8), id.shortHex());
    assertEquals(id, ObjectId.fromHex(hex));
    long expected = 0;
    for (int i = 0; i < 8; i++) {
      expected = expected << 8 | (bytes[offset + i] & 0xFF);
    }
    assertEquals(expected, id.prefixLong(offset), "eight bytes from " + offset);
    assertEquals((int) (id.prefixLong(0) >>> 32), id.hashCode());

    ByteWriter writer = new ByteWriter(1).u8(7);
    id.writeTo(writer);
    byte[] encoded = writer.toByteArray();
    assertArrayEquals(bytes, Arrays.copyOfRange(encoded, 1, 33));
    ByteReader reader = new ByteReader(encoded);
    reader.u8();
    assertEquals(id, ObjectId.read(reader));

    byte[] target = new byte[40];
    id.copyTo(target, 5);
    assertArrayEquals(bytes, Arrays.copyOfRange(target, 5, 37));
    assertEquals(id, ObjectId.copyOf(target, 5));
  }

  @Property
  void idsCompareAsTheirUnsignedBytes(@ForAll @Size(32) byte[] a, @ForAll @Size(32) byte[] b,
      @ForAll @IntRange(max = 31) int differingByte) {
    byte[] c = a.clone();
    c[differingByte] ^= (byte) 0x80;
    for (byte[] other : new byte[][] {b, c, a.clone()}) {
      ObjectId x = ObjectId.wrap(a.clone());
      ObjectId y = ObjectId.wrap(other.clone());
      assertEquals(Integer.signum(Arrays.compareUnsigned(a, other)), Integer.signum(x.compareTo(y)));
      assertEquals(Arrays.equals(a, other), x.equals(y));
      if (!Arrays.equals(a, other)) {
        assertNotEquals(x, y);
      }
    }
  }

  @Test
  void aTruncatedIdIsReportedAsDamage() {
    ByteReader reader = new ByteReader(new byte[31]);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> ObjectId.read(reader));
    assertEquals("truncated: needed a 32-byte id at offset 0 but only 31 bytes remain", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ObjectId.wrap(new byte[31]));
    assertThrows(IndexOutOfBoundsException.class, () -> ObjectId.copyOf(new byte[40], 9));
  }
}
