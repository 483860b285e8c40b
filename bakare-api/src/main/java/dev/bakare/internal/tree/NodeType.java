package dev.bakare.internal.tree;

import dev.bakare.internal.format.CorruptDataException;

/** The kind of a directory entry. */
public enum NodeType {
  FILE(1),
  DIRECTORY(2),
  SYMLINK(3),
  FIFO(4),
  SOCKET(5),
  CHAR_DEVICE(6),
  BLOCK_DEVICE(7);

  private final int code;

  NodeType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static NodeType fromCode(int code) throws CorruptDataException {
    for (NodeType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    throw new CorruptDataException("unknown node type " + code);
  }
}
