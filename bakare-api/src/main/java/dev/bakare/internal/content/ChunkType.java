package dev.bakare.internal.content;

import dev.bakare.internal.format.CorruptDataException;

/** What a chunk holds. Data and tree chunks go into separate packs so trees can be read without data. */
public enum ChunkType {
  DATA(0),
  TREE(1);

  private final int code;

  ChunkType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static ChunkType fromCode(int code) throws CorruptDataException {
    for (ChunkType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    throw new CorruptDataException("unknown chunk type " + code);
  }
}
