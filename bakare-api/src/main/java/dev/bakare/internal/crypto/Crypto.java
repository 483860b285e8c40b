package dev.bakare.internal.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives the formats are built from: randomness, SHA-256, HMAC-SHA256, HKDF-SHA256, X25519. All come
 * from the JDK: every command needs X25519 and HKDF, and the first class loaded from the signed Bouncy Castle
 * jar costs a cold JVM 0.2-0.3 s of verifying it (and signed jars cannot go into a class-data archive), so
 * Bouncy Castle is left to Argon2, which only a key file with a passphrase needs.
 */
public final class Crypto {
  public static final int X25519_KEY_LENGTH = 32;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int SHA256_LENGTH = 32;
  /** The u-coordinate 9 of the X25519 base point, encoded (RFC 7748, section 4.1). */
  private static final byte[] X25519_BASE_POINT = x25519BasePoint();

  private Crypto() {}

  public static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  public static SecureRandom random() {
    return RANDOM;
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks SHA-256", e);
    }
  }

  public static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  public static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest digest = sha256();
    digest.update(data, offset, length);
    return digest.digest();
  }

  public static Mac hmacSha256(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks HmacSHA256", e);
    }
  }

  public static byte[] hmacSha256(byte[] key, byte[] data) {
    return hmacSha256(key).doFinal(data);
  }

  /**
   * HKDF-SHA256 (RFC 5869) of {@code length} bytes, at most 255 * 32. An empty salt is the salt of 32 zero
   * bytes, as the RFC says for a salt not given (HMAC pads its key with zeros, so both are the same key).
   */
  public static byte[] hkdf(byte[] inputKey, byte[] salt, byte[] info, int length) {
    if (length < 0 || length > 255 * SHA256_LENGTH) {
      throw new IllegalArgumentException("HKDF-SHA256 gives 0.." + 255 * SHA256_LENGTH + " bytes, not " + length);
    }
    byte[] pseudoRandomKey = hmacSha256(salt.length == 0 ? new byte[SHA256_LENGTH] : salt, inputKey);
    Mac expand = hmacSha256(pseudoRandomKey);
    byte[] out = new byte[length];
    byte[] block = new byte[0];
    for (int offset = 0, counter = 1; offset < length; offset += SHA256_LENGTH, counter++) {
      expand.update(block);
      expand.update(info);
      expand.update((byte) counter);
      block = expand.doFinal();
      System.arraycopy(block, 0, out, offset, Math.min(SHA256_LENGTH, length - offset));
    }
    wipe(pseudoRandomKey);
    return out;
  }

  /** A new X25519 private key, clamped as RFC 7748 section 5 decodes scalars. */
  public static byte[] newX25519PrivateKey() {
    byte[] key = randomBytes(X25519_KEY_LENGTH);
    key[0] &= (byte) 0xF8;
    key[31] &= 0x7F;
    key[31] |= 0x40;
    return key;
  }

  public static byte[] x25519PublicKey(byte[] privateKey) {
    return x25519(privateKey, X25519_BASE_POINT);
  }

  /**
   * X25519(privateKey, publicKey) as RFC 7748 defines it: the scalar clamped, the u-coordinate little-endian
   * with its top bit ignored.
   *
   * @throws IllegalArgumentException if the result is all zero (a low-order public key), which must
   *     never be used as a key
   */
  public static byte[] x25519(byte[] privateKey, byte[] publicKey) {
    if (privateKey.length != X25519_KEY_LENGTH || publicKey.length != X25519_KEY_LENGTH) {
      throw new IllegalArgumentException("X25519 keys are 32 bytes, got a private key of " + privateKey.length
          + " and a public key of " + publicKey.length);
    }
    byte[] bigEndian = new byte[X25519_KEY_LENGTH];
    for (int i = 0; i < X25519_KEY_LENGTH; i++) {
      bigEndian[i] = publicKey[X25519_KEY_LENGTH - 1 - i];
    }
    bigEndian[0] &= 0x7F;
    try {
      KeyFactory factory = KeyFactory.getInstance("X25519");
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey)));
      agreement.doPhase(factory.generatePublic(
          new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian))), true);
      byte[] shared = agreement.generateSecret();
      if (isAllZero(shared)) {
        throw new IllegalArgumentException("X25519 produced the all-zero secret: the public key is of low order");
      }
      return shared;
    } catch (InvalidKeyException e) {
      // The JDK refuses a low-order point itself ("Point has small order"): the same case as above.
      throw new IllegalArgumentException("X25519 with this public key failed (" + e.getMessage()
          + "): the public key is of low order", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks X25519, which every Java SE 11+ runtime provides", e);
    }
  }

  private static boolean isAllZero(byte[] bytes) {
    int bits = 0;
    for (byte b : bytes) {
      bits |= b;
    }
    return bits == 0;
  }

  private static byte[] x25519BasePoint() {
    byte[] u = new byte[X25519_KEY_LENGTH];
    u[0] = 9;
    return u;
  }

  public static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }

  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  /** Overwrites a secret that is no longer needed; a best effort in a garbage-collected runtime. */
  public static void wipe(byte[] secret) {
    Arrays.fill(secret, (byte) 0);
  }
}
