package dev.bakare.internal.find;

/**
 * Reads unsigned LEB128 varints from bytes already checked (a name index head or posting block that
 * {@link NameFile} verified), so without bounds or overflow checks of its own.
 */
final class VarintReader {
  byte[] data;
  int position;

  VarintReader(byte[] data, int position) {
    this.data = data;
    this.position = position;
  }

  long varint() {
    long result = 0;
    for (int shift = 0; ; shift += 7) {
      int b = data[position++] & 0xFF;
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
  }

  int u8() {
    return data[position++] & 0xFF;
  }

  long u64() {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (data[position++] & 0xFFL);
    }
    return value;
  }
}
