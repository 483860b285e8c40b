package dev.bakare.internal.crypto;

import java.io.IOException;

/**
 * Where {@link Aead#seal(byte[], byte[], byte[], int, int, SealTarget)} writes ciphertext, a piece at a
 * time, straight into the target's own array: a target that writes to a file then needs no array as large
 * as the object (a 4 MiB chunk would otherwise keep a 4 MiB array per sealing thread).
 */
public interface SealTarget {
  /** The most bytes {@link #reserve} is asked for at once. */
  int MAX_PIECE = 64 << 10;

  /** Returns an array with room for {@code length} bytes ({@code <= MAX_PIECE}) at {@link #reservedOffset}. */
  byte[] reserve(int length) throws IOException;

  /** Where in the array {@link #reserve} returned the bytes go. */
  int reservedOffset();

  /** Records that {@code written} bytes (at most the length reserved) were written into the reserved room. */
  void advance(int written) throws IOException;
}
