package dev.bakare.internal.crypto;

import dev.bakare.internal.format.CorruptDataException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM. Sealing goes through the JDK's GCM in 16 KiB slices ({@link JdkAead}). Opening does not:
 * the JDK's GCM decryption buffers all input until {@code doFinal} and then processes it in one call,
 * which HotSpot leaves interpreted for a long time in a fresh JVM (measured here: 20-50 MB/s for the first
 * hundreds of megabytes, against 5-6 times that for the method below). So opening computes the same
 * thing from two operations that run fast from the start: AES-CTR decryption from counter block 2 (GCM's
 * keystream for a 96-bit nonce), then a GCM encryption of the result in slices, whose tag must equal the
 * stored one (compared in constant time). Plaintext is released only after the tag matched; on a mismatch
 * the output range is zeroed. Small objects go this way too: the JDK's decryption copies its input into a
 * growing buffer and out again, three arrays per object, which were 40% of all allocation in a restore of
 * 300,000 small files (and their garbage collections 12% of its time); the two cipher initializations
 * here cost less than that (8.5-8.7 s of user CPU against 8.9-9.2 s for that restore).
 */
final class AesGcmAead extends JdkAead {
  private static final ThreadLocal<Cipher> COUNTER_MODE = ThreadLocal.withInitial(() -> cipher("AES/CTR/NoPadding"));
  private static final ThreadLocal<Cipher> TAGGING = ThreadLocal.withInitial(() -> cipher("AES/GCM/NoPadding"));
  private static final ThreadLocal<byte[]> SINK = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

  private final SecretKeySpec key;

  AesGcmAead(byte[] key) {
    super("AES/GCM/NoPadding", "AES", key, true);
    this.key = new SecretKeySpec(key, "AES");
    GhashWarmUp.start();
  }

  @Override
  AlgorithmParameterSpec parameters(byte[] nonce) {
    return new GCMParameterSpec(AeadAlgorithm.TAG_LENGTH * 8, nonce);
  }

  @Override
  public int open(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length, byte[] out, int outOffset)
      throws CorruptDataException {
    if (nonce.length != AeadAlgorithm.NONCE_LENGTH) {
      throw new IllegalArgumentException("nonce must be 12 bytes, got " + nonce.length);
    }
    if (length < AeadAlgorithm.TAG_LENGTH) {
      throw new CorruptDataException("ciphertext of " + length + " bytes is shorter than its tag");
    }
    int plainLength = length - AeadAlgorithm.TAG_LENGTH;
    if (out.length - outOffset < plainLength) {
      throw new IllegalArgumentException("output buffer too small for " + plainLength + " bytes");
    }
    byte[] counter = Arrays.copyOf(nonce, 16);
    counter[15] = 2;
    try {
      Cipher ctr = COUNTER_MODE.get();
      ctr.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(counter));
      int written = updateInSlices(ctr, in, inOffset, plainLength, out, outOffset);
      ctr.doFinal(out, outOffset + written);
      Cipher gcm = taggingCipher(nonce);
      gcm.updateAAD(associatedData);
      updateInSlices(gcm, out, outOffset, plainLength, null, 0);
      byte[] sink = SINK.get();
      int tail = gcm.doFinal(sink, 0);
      byte[] tag = Arrays.copyOfRange(sink, tail - AeadAlgorithm.TAG_LENGTH, tail);
      byte[] stored = Arrays.copyOfRange(in, inOffset + plainLength, inOffset + length);
      if (!MessageDigest.isEqual(tag, stored)) {
        Arrays.fill(out, outOffset, outOffset + plainLength, (byte) 0);
        throw new CorruptDataException("authentication failed (wrong key, or the bytes were modified)");
      }
      return plainLength;
    } catch (ShortBufferException e) {
      throw new IllegalArgumentException("output buffer too small for " + plainLength + " bytes", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  /**
   * The thread's GCM cipher initialized to encrypt under {@code nonce}. The JDK refuses to initialize one
   * instance twice in a row with the same key and nonce for encryption (which opening the same object
   * twice does), so that case gets a fresh instance.
   */
  private Cipher taggingCipher(byte[] nonce) throws GeneralSecurityException {
    Cipher gcm = TAGGING.get();
    try {
      gcm.init(Cipher.ENCRYPT_MODE, key, parameters(nonce));
    } catch (java.security.InvalidAlgorithmParameterException sameKeyAndNonce) {
      gcm = cipher("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, key, parameters(nonce));
      TAGGING.set(gcm);
    }
    return gcm;
  }

  private static Cipher cipher(String transformation) {
    try {
      return Cipher.getInstance(transformation);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks " + transformation, e);
    }
  }
}
