package dev.bakare.internal.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The primitives the formats are built from: randomness, SHA-256, HMAC-SHA256, HKDF-SHA256, X25519. X25519 is
 * Bouncy Castle's: with the JDK's (XDH), whose field arithmetic is slow until compiled, a cold restore of the
 * benchmarks' mixed tree (one agreement per pack and snapshot) took 4.98-5.37 s against 4.56-5.00 s. HKDF is
 * built on the JDK's HMAC-SHA256, whose SHA-256 is a processor intrinsic.
 */
public final class Crypto {
  public static final int X25519_KEY_LENGTH = 32;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int SHA256_LENGTH = 32;

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

  /** A new X25519 private key (RFC 7748 clamping is applied when it is used). */
  public static byte[] newX25519PrivateKey() {
    byte[] key = new byte[X25519_KEY_LENGTH];
    X25519.generatePrivateKey(RANDOM, key);
    return key;
  }

  public static byte[] x25519PublicKey(byte[] privateKey) {
    byte[] publicKey = new byte[X25519_KEY_LENGTH];
    X25519.generatePublicKey(privateKey, 0, publicKey, 0);
    return publicKey;
  }

  /**
   * X25519(privateKey, publicKey).
   *
   * @throws IllegalArgumentException if the result is all zero (a low-order public key), which must
   *     never be used as a key
   */
  public static byte[] x25519(byte[] privateKey, byte[] publicKey) {
    byte[] shared = new byte[X25519_KEY_LENGTH];
    if (!X25519.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0)) {
      throw new IllegalArgumentException("X25519 produced the all-zero secret: the public key is of low order");
    }
    return shared;
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
