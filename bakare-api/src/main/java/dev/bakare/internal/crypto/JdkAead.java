package dev.bakare.internal.crypto;

import dev.bakare.internal.format.CorruptDataException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * An {@link Aead} on a JDK {@link Cipher}. Input is fed in 16 KiB slices: HotSpot compiles the loop that
 * calls the AES/GHASH intrinsics soon only when it runs often, and one large {@code doFinal} per chunk
 * stays interpreted for seconds in a cold JVM (DESIGN.md §7 measured 55-95 MB/s against 2 GB/s).
 */
abstract class JdkAead implements Aead {
  private static final int SLICE = 16 * 1024;
  /**
   * Room asked of a {@link SealTarget} beyond a slice: GCM may hold back up to a block of an update until
   * the next, and the final call writes what it held plus the tag.
   */
  private static final int SLACK = 2 * AeadAlgorithm.TAG_LENGTH;

  static {
    if (SLICE + SLACK > SealTarget.MAX_PIECE) {
      throw new AssertionError("a slice and its slack exceed SealTarget.MAX_PIECE");
    }
  }

  private final String transformation;
  private final SecretKeySpec key;
  /** One cipher per thread and transformation, re-initialized per object: instances are costly to make. */
  private static final java.util.concurrent.ConcurrentHashMap<String, ThreadLocal<Cipher>> CIPHERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final ThreadLocal<Cipher> ciphers;
  private final boolean reinitWithSameNonce;

  /**
   * @param reinitWithSameNonce whether the JDK lets a cipher be initialized again with the key and nonce
   *     of its previous initialization; its ChaCha20-Poly1305 refuses that even for decryption, so opening
   *     the same object twice needs a fresh cipher
   */
  JdkAead(String transformation, String keyAlgorithm, byte[] key, boolean reinitWithSameNonce) {
    if (key.length != AeadAlgorithm.KEY_LENGTH) {
      throw new IllegalArgumentException("AEAD key must be 32 bytes, got " + key.length);
    }
    this.transformation = transformation;
    this.key = new SecretKeySpec(key, keyAlgorithm);
    this.ciphers = CIPHERS.computeIfAbsent(transformation, t -> ThreadLocal.withInitial(this::newCipher));
    this.reinitWithSameNonce = reinitWithSameNonce;
  }

  abstract AlgorithmParameterSpec parameters(byte[] nonce);

  private Cipher newCipher() {
    try {
      return Cipher.getInstance(transformation);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks the cipher " + transformation, e);
    }
  }

  @Override
  public int seal(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    checkNonce(nonce);
    Cipher cipher = ciphers.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, parameters(nonce));
      cipher.updateAAD(associatedData);
      int written = updateInSlices(cipher, in, inOffset, length, out, outOffset);
      return written + cipher.doFinal(out, outOffset + written);
    } catch (ShortBufferException e) {
      throw new IllegalArgumentException("output buffer too small for " + length + " bytes plus tag", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " encryption failed", e);
    }
  }

  @Override
  public int seal(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length, SealTarget target)
      throws IOException {
    checkNonce(nonce);
    Objects.checkFromIndexSize(inOffset, length, in.length);
    Cipher cipher = ciphers.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, parameters(nonce));
      cipher.updateAAD(associatedData);
      int written = 0;
      for (int done = 0; done < length; done += SLICE) {
        int n = Math.min(SLICE, length - done);
        byte[] out = target.reserve(n + SLACK);
        int w = cipher.update(in, inOffset + done, n, out, target.reservedOffset());
        target.advance(w);
        written += w;
      }
      byte[] out = target.reserve(SLACK);
      int w = cipher.doFinal(out, target.reservedOffset());
      target.advance(w);
      return written + w;
    } catch (ShortBufferException e) {
      throw new IllegalStateException("a seal target gave less room than it was asked for", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " encryption failed", e);
    }
  }

  @Override
  public int open(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int length, byte[] out, int outOffset)
      throws CorruptDataException {
    checkNonce(nonce);
    if (length < AeadAlgorithm.TAG_LENGTH) {
      throw new CorruptDataException("ciphertext of " + length + " bytes is shorter than its tag");
    }
    Cipher cipher = reinitWithSameNonce ? ciphers.get() : newCipher();
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, parameters(nonce));
      cipher.updateAAD(associatedData);
      int written = updateInSlices(cipher, in, inOffset, length, out, outOffset);
      return written + cipher.doFinal(out, outOffset + written);
    } catch (AEADBadTagException e) {
      throw new CorruptDataException("authentication failed (wrong key, or the bytes were modified)", e);
    } catch (ShortBufferException e) {
      throw new IllegalArgumentException("output buffer too small for " + length + " bytes", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " decryption failed", e);
    }
  }

  /**
   * Feeds {@code in} to {@code cipher} in {@value #SLICE}-byte updates (see the class comment) and
   * returns the bytes written to {@code out}; {@code out == null} discards the output into a scratch
   * buffer (for computing a tag only). Where {@code out} is {@code in} (opening in place), each slice goes
   * through the scratch buffer and is copied back: the JDK copies the input of an update whose output
   * overlaps it into a new array, which in a restore of 300,000 small files was a fifth of all it allocated.
   */
  static int updateInSlices(Cipher cipher, byte[] in, int inOffset, int length, byte @Nullable [] out, int outOffset)
      throws ShortBufferException {
    boolean direct = out != null && out != in;
    byte[] target = direct ? out : SCRATCH.get();
    int written = 0;
    for (int done = 0; done < length; done += SLICE) {
      int n = Math.min(SLICE, length - done);
      int w = cipher.update(in, inOffset + done, n, target, direct ? outOffset + written : 0);
      if (out != null && !direct) {
        // Only bytes already consumed are overwritten: a slice yields at most what was fed so far.
        System.arraycopy(target, 0, out, outOffset + written, w);
      }
      written += out == null ? 0 : w;
    }
    return written;
  }

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SLICE + 64]);

  private static void checkNonce(byte[] nonce) {
    if (nonce.length != AeadAlgorithm.NONCE_LENGTH) {
      throw new IllegalArgumentException("nonce must be 12 bytes, got " + nonce.length);
    }
  }
}
