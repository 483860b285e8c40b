package dev.bakare.internal.store;

import java.nio.ByteBuffer;

/** The bytes of a blob a store returned. */
public final class BlobBytes {
  private BlobBytes() {}

  /**
   * The remaining bytes of {@code buffer} as an array: the buffer's own array when it holds exactly those
   * bytes (a store returns a buffer its caller owns, see {@code BlobStore#get}), which spares a copy of a
   * whole pack; a copy otherwise. {@code buffer} itself is not moved.
   */
  public static byte[] array(ByteBuffer buffer) {
    if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
        && buffer.remaining() == buffer.array().length) {
      return buffer.array();
    }
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
