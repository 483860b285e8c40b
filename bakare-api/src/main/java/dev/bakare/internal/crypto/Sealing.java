package dev.bakare.internal.crypto;

import dev.bakare.internal.format.CorruptDataException;
import java.nio.charset.StandardCharsets;

/**
 * Sealing of whole objects (index segments, snapshot parts, key files) with the two key kinds.
 *
 * <p><b>Symmetric</b> ({@link #sealWithIndexKey}): {@code nonce[12] || AEAD(indexSealKey, nonce, aad,
 * plaintext)}, nonce random, {@code aad = "bakare " + purpose}. Any key (full or write) opens it.
 *
 * <p><b>To the master public key</b> ({@link #sealToMaster}): {@code E[32] || AEAD(k, 0^12, aad,
 * plaintext)} where {@code E} is a fresh ephemeral X25519 public key and {@code k = derivePublicKeyKey(
 * X25519(e, MPK), E, MPK, purpose)}. Only the full key opens it. The all-zero nonce is safe because every
 * object has its own ephemeral key.
 */
public final class Sealing {
  private final AeadAlgorithm algorithm;
  private final KeyMaterial keys;
  private final Aead indexAead;

  public Sealing(AeadAlgorithm algorithm, KeyMaterial keys) {
    this.algorithm = algorithm;
    this.keys = keys;
    this.indexAead = algorithm.withKey(Crypto.hkdf(keys.indexKey(), new byte[0], ascii("bakare index seal v1"), 32));
  }

  public AeadAlgorithm algorithm() {
    return algorithm;
  }

  public KeyMaterial keys() {
    return keys;
  }

  public byte[] sealWithIndexKey(String purpose, byte[] plaintext) {
    byte[] nonce = Crypto.randomBytes(AeadAlgorithm.NONCE_LENGTH);
    byte[] out = new byte[nonce.length + plaintext.length + AeadAlgorithm.TAG_LENGTH];
    System.arraycopy(nonce, 0, out, 0, nonce.length);
    indexAead.seal(nonce, ascii("bakare " + purpose), plaintext, 0, plaintext.length, out, nonce.length);
    return out;
  }

  public byte[] openWithIndexKey(String purpose, byte[] sealed) throws CorruptDataException {
    if (sealed.length < AeadAlgorithm.NONCE_LENGTH + AeadAlgorithm.TAG_LENGTH) {
      throw new CorruptDataException("sealed " + purpose + " of " + sealed.length + " bytes is too short");
    }
    byte[] nonce = java.util.Arrays.copyOf(sealed, AeadAlgorithm.NONCE_LENGTH);
    return indexAead.open(
        nonce, ascii("bakare " + purpose), sealed, nonce.length, sealed.length - nonce.length);
  }

  /** A fresh ephemeral key pair and the AEAD keyed for {@code purpose} towards the master public key. */
  public EphemeralKey newEphemeralKey(String purpose) {
    byte[] ephemeralPrivate = Crypto.newX25519PrivateKey();
    byte[] ephemeralPublic = Crypto.x25519PublicKey(ephemeralPrivate);
    byte[] masterPublic = keys.masterPublicKey();
    byte[] shared = Crypto.x25519(ephemeralPrivate, masterPublic);
    Crypto.wipe(ephemeralPrivate);
    return new EphemeralKey(ephemeralPublic, algorithm.withKey(derive(shared, ephemeralPublic, masterPublic, purpose)));
  }

  /**
   * The AEAD a full key derives from an object's ephemeral public key.
   *
   * @throws IllegalStateException for a write key (callers check {@link KeyMaterial#isFull()} first)
   * @throws CorruptDataException if the ephemeral key is of low order (a forged object)
   */
  public Aead aeadFor(byte[] ephemeralPublic, String purpose) throws CorruptDataException {
    byte[] masterPrivate = keys.masterPrivateKey();
    byte[] shared;
    try {
      shared = Crypto.x25519(masterPrivate, ephemeralPublic);
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException("invalid ephemeral public key", e);
    } finally {
      Crypto.wipe(masterPrivate);
    }
    return algorithm.withKey(derive(shared, ephemeralPublic, keys.masterPublicKey(), purpose));
  }

  public byte[] sealToMaster(String purpose, byte[] plaintext) {
    EphemeralKey key = newEphemeralKey(purpose);
    byte[] out = new byte[32 + plaintext.length + AeadAlgorithm.TAG_LENGTH];
    System.arraycopy(key.publicKey(), 0, out, 0, 32);
    key.aead().seal(new byte[AeadAlgorithm.NONCE_LENGTH], ascii("bakare " + purpose), plaintext, 0, plaintext.length, out, 32);
    return out;
  }

  public byte[] openFromMaster(String purpose, byte[] sealed) throws CorruptDataException {
    if (sealed.length < 32 + AeadAlgorithm.TAG_LENGTH) {
      throw new CorruptDataException("sealed " + purpose + " of " + sealed.length + " bytes is too short");
    }
    byte[] ephemeralPublic = java.util.Arrays.copyOf(sealed, 32);
    return aeadFor(ephemeralPublic, purpose)
        .open(new byte[AeadAlgorithm.NONCE_LENGTH], ascii("bakare " + purpose), sealed, 32, sealed.length - 32);
  }

  private static byte[] derive(byte[] shared, byte[] ephemeralPublic, byte[] masterPublic, String purpose) {
    byte[] key = Crypto.hkdf(shared, Crypto.concat(ephemeralPublic, masterPublic), ascii("bakare " + purpose + " key"), 32);
    Crypto.wipe(shared);
    return key;
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** An ephemeral public key and the AEAD keyed by its agreement with the master public key. */
  public record EphemeralKey(byte[] publicKey, Aead aead) {}
}
