package dev.bakare.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ByteCodecProperties {
  @Property
  void numbersAndBytesRoundTrip(@ForAll long varint, @ForAll long zigzag, @ForAll int u32Bits, @ForAll long u64,
      @ForAll @Size(max = 300) byte[] bytes, @ForAll String text) throws CorruptDataException {
    long u32 = u32Bits & 0xFFFF_FFFFL;
    byte[] encoded = new ByteWriter(4).varint(varint).zigzag(zigzag).u32(u32).u64(u64).lengthPrefixed(bytes)
        .string(text).u8(0xAB).toByteArray();
    ByteReader r = new ByteReader(encoded);
    assertEquals(varint, r.varint());
    assertEquals(zigzag, r.zigzag());
    assertEquals(u32, r.u32());
    assertEquals(u64, r.u64());
    assertArrayEquals(bytes, r.lengthPrefixed(300, "bytes"));
    if (isWellFormed(text)) {
      assertEquals(text, r.string(Integer.MAX_VALUE, "text"));
    } else {
      r.lengthPrefixed(Integer.MAX_VALUE, "text");
    }
    assertEquals(0xAB, r.u8());
    r.expectEnd("test");
  }

  /**
   * Reading with a likely value returns that very string only when the bytes spell it: a tree's decoder
   * passes each node's owner and group on to the next node.
   */
  @Property
  void aLikelyStringIsReturnedOnlyWhenTheBytesSpellIt(@ForAll String text, @ForAll String likely)
      throws CorruptDataException {
    if (!isWellFormed(text)) {
      return;
    }
    byte[] encoded = new ByteWriter(4).string(text).string(text).toByteArray();
    ByteReader r = new ByteReader(encoded);
    String read = r.string(Integer.MAX_VALUE, "text", likely);
    assertEquals(text, read);
    boolean ascii = text.chars().allMatch(c -> c < 0x80);
    if (ascii && text.equals(likely)) {
      assertSame(likely, read);
    }
    String again = r.string(Integer.MAX_VALUE, "text", read);
    assertEquals(text, again);
    if (ascii) {
      assertSame(read, again, "an ASCII string spelled again is the string passed in");
    }
    r.expectEnd("test");
  }

  @Property
  void truncationIsDetectedNeverAnOutOfBoundsRead(@ForAll @Size(max = 64) byte[] garbage) {
    ByteReader r = new ByteReader(garbage);
    try {
      while (true) {
        r.lengthPrefixed(1 << 20, "item");
        r.varint();
      }
    } catch (CorruptDataException expected) {
      // Every malformed input ends here, not in an ArrayIndexOutOfBoundsException.
    }
  }

  @Test
  void forgedCountsAndLengthsAreRejectedBeforeAllocating() {
    byte[] hugeCount = new ByteWriter().varint(Long.MAX_VALUE / 2).toByteArray();
    assertThrows(CorruptDataException.class, () -> new ByteReader(hugeCount).count(32, "chunk"));
    byte[] hugeLength = new ByteWriter().varint(1L << 40).toByteArray();
    assertThrows(CorruptDataException.class, () -> new ByteReader(hugeLength).lengthPrefixed(1 << 20, "name"));
    byte[] overlong = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0x7F};
    assertThrows(CorruptDataException.class, () -> new ByteReader(overlong).varint());
    byte[] invalidUtf8 = new ByteWriter().lengthPrefixed(new byte[] {(byte) 0xC3, 0x28}).toByteArray();
    assertThrows(CorruptDataException.class, () -> new ByteReader(invalidUtf8).string(10, "name"));
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
