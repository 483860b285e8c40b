package dev.bakare.internal.content;

import dev.bakare.internal.format.CorruptDataException;

/** How a chunk's plaintext is stored inside its sealed envelope. */
public enum Compression {
  /** Stored as is, because compression did not shrink it. */
  NONE(0),
  /** A zstd frame. */
  ZSTD(1);

  private final int code;

  Compression(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Compression fromCode(int code) throws CorruptDataException {
    for (Compression compression : values()) {
      if (compression.code == code) {
        return compression;
      }
    }
    throw new CorruptDataException("unknown compression " + code);
  }
}
