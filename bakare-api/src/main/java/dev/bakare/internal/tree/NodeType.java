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

  /** {@code values()} copies the array on every call, once per decoded node. */
  private static final NodeType[] ALL = values();

  public static NodeType fromCode(int code) throws CorruptDataException {
    for (NodeType type : ALL) {
      if (type.code == code) {
        return type;
      }
    }
    throw new CorruptDataException("unknown node type " + code);
  }
}
