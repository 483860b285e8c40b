package dev.bakare.internal.crypto;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The secrets of one repository. A <b>full key</b> holds the master X25519 private key and can read
 * everything; a <b>write key</b> lacks it and can only add data (it can still dedup, because it holds the
 * chunk id and index keys).
 */
public final class KeyMaterial {
  private static final int VERSION = 1;
  private static final int FLAG_PRIVATE = 1;

  private final byte @Nullable [] masterPrivateKey;
  private final byte[] masterPublicKey;
  private final byte[] chunkerKey;
  private final byte[] chunkIdKey;
  private final byte[] indexKey;

  private KeyMaterial(
      byte @Nullable [] masterPrivateKey, byte[] masterPublicKey, byte[] chunkerKey, byte[] chunkIdKey, byte[] indexKey) {
    this.masterPrivateKey = masterPrivateKey;
    this.masterPublicKey = masterPublicKey;
    this.chunkerKey = chunkerKey;
    this.chunkIdKey = chunkIdKey;
    this.indexKey = indexKey;
  }

  /** Fresh random key material for a new repository. */
  public static KeyMaterial generate() {
    byte[] privateKey = Crypto.newX25519PrivateKey();
    return new KeyMaterial(
        privateKey,
        Crypto.x25519PublicKey(privateKey),
        Crypto.randomBytes(32),
        Crypto.randomBytes(32),
        Crypto.randomBytes(32));
  }

  public boolean isFull() {
    return masterPrivateKey != null;
  }

  /** The same secrets without the master private key. */
  public KeyMaterial toWriteKey() {
    return new KeyMaterial(null, masterPublicKey, chunkerKey, chunkIdKey, indexKey);
  }

  /**
   * The master private key.
   *
   * @throws IllegalStateException for a write key; callers check {@link #isFull()} first and report a
   *     clear error to the user
   */
  public byte[] masterPrivateKey() {
    if (masterPrivateKey == null) {
      throw new IllegalStateException("a write key has no master private key");
    }
    return masterPrivateKey.clone();
  }

  public byte[] masterPublicKey() {
    return masterPublicKey.clone();
  }

  public byte[] chunkerKey() {
    return chunkerKey.clone();
  }

  public byte[] chunkIdKey() {
    return chunkIdKey.clone();
  }

  public byte[] indexKey() {
    return indexKey.clone();
  }

  /** SHA-256 of the master public key: recorded in the config to tell whether a key belongs to a repository. */
  public byte[] fingerprint() {
    return Crypto.sha256(masterPublicKey);
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(200).u8(VERSION).u8(masterPrivateKey != null ? FLAG_PRIVATE : 0);
    if (masterPrivateKey != null) {
      w.bytes(masterPrivateKey);
    }
    return w.bytes(masterPublicKey).bytes(chunkerKey).bytes(chunkIdKey).bytes(indexKey).toByteArray();
  }

  public static KeyMaterial decode(byte[] encoded) throws CorruptDataException {
    ByteReader r = new ByteReader(encoded);
    int version = r.u8();
    if (version != VERSION) {
      throw new CorruptDataException("key material version " + version + " is not supported (expected " + VERSION + ")");
    }
    int flags = r.u8();
    if ((flags & ~FLAG_PRIVATE) != 0) {
      throw new CorruptDataException("unknown key material flags " + flags);
    }
    byte[] privateKey = (flags & FLAG_PRIVATE) != 0 ? r.bytes(32) : null;
    byte[] publicKey = r.bytes(32);
    KeyMaterial key = new KeyMaterial(privateKey, publicKey, r.bytes(32), r.bytes(32), r.bytes(32));
    r.expectEnd("key material");
    if (privateKey != null && !Arrays.equals(Crypto.x25519PublicKey(privateKey), publicKey)) {
      throw new CorruptDataException("the master private key does not match the master public key");
    }
    return key;
  }
}
