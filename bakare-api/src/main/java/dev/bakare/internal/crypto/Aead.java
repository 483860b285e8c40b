package dev.bakare.internal.crypto;

import dev.bakare.internal.format.CorruptDataException;
import java.io.IOException;

/**
 * A keyed authenticated cipher. Thread-safe. The caller guarantees that a nonce is never used twice
 * with the same key (see the nonce rules in docs/design.md).
 */
public interface Aead {

  /**
   * Encrypts {@code in[inOffset, inOffset+length)} into {@code out} at {@code outOffset}, followed by the
   * 16-byte tag, and returns the number of bytes written ({@code length + 16}).
   */
  int seal(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length, byte[] out, int outOffset);

  /**
   * Encrypts {@code in[inOffset, inOffset+length)} into {@code target} a piece at a time, followed by the
   * 16-byte tag, and returns the number of bytes written ({@code length + 16}). The same bytes as {@link
   * #seal(byte[], byte[], byte[], int, int, byte[], int)} writes into one array.
   *
   * @throws IOException from the target
   */
  int seal(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length, SealTarget target)
      throws IOException;

  /**
   * Verifies and decrypts {@code in[inOffset, inOffset+length)} (ciphertext followed by tag) into {@code
   * out} at {@code outOffset} and returns the plaintext length ({@code length - 16}). {@code out} may be
   * {@code in} with {@code outOffset == inOffset}: the plaintext then replaces the ciphertext, and after a
   * failure that range holds neither.
   *
   * @throws CorruptDataException if the tag does not verify: wrong key, tampered or truncated bytes
   */
  int open(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length, byte[] out, int outOffset)
      throws CorruptDataException;

  default byte[] seal(byte[] nonce, byte[] associatedData, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + AeadAlgorithm.TAG_LENGTH];
    seal(nonce, associatedData, plaintext, 0, plaintext.length, out, 0);
    return out;
  }

  default byte[] open(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length)
      throws CorruptDataException {
    if (length < AeadAlgorithm.TAG_LENGTH) {
      throw new CorruptDataException("ciphertext of " + length + " bytes is shorter than its tag");
    }
    byte[] out = new byte[length - AeadAlgorithm.TAG_LENGTH];
    open(nonce, associatedData, in, inOffset, length, out, 0);
    return out;
  }
}
