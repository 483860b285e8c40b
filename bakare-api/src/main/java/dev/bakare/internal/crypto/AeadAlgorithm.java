package dev.bakare.internal.crypto;

/**
 * An authenticated cipher with 256-bit keys and 96-bit nonces, found by its stable {@link #name()} (which
 * the repository config records) through {@link java.util.ServiceLoader}. Implementations must be
 * stateless; {@link #withKey} returns a thread-safe keyed instance.
 */
public interface AeadAlgorithm {
  int KEY_LENGTH = 32;
  int NONCE_LENGTH = 12;
  int TAG_LENGTH = 16;

  /** The stable name, such as {@code aes-256-gcm}. */
  String name();

  /** Binds a 32-byte key. */
  Aead withKey(byte[] key);
}
