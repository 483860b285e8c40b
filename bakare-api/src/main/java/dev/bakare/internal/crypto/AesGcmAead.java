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
import org.jspecify.annotations.Nullable;

/**
 * AES-256-GCM. Sealing goes through the JDK's GCM in 16 KiB slices ({@link JdkAead}). Opening does not:
 * the JDK's GCM decryption buffers all input until {@code doFinal} and then processes it in one call,
 * which HotSpot leaves interpreted for a long time in a fresh JVM (measured here: 20-50 MB/s for the first
 * hundreds of megabytes, against 5-6 times that for the method below), and copies a small object three
 * times (40% of all allocation in a restore of 300,000 small files). So opening first checks the tag:
 * GHASH over the associated data and the ciphertext as stored ({@link JdkGhash}), masked with the block
 * cipher's output for the initial counter block, compared in constant time with the stored tag. Only then
 * does it decrypt, with AES-CTR from counter block 2 (GCM's keystream for a 96-bit nonce): a forged or
 * damaged object yields no plaintext at all. Where the JDK's GHASH is not reachable (a library whose
 * users do not open {@code com.sun.crypto.provider}), the tag is recomputed by encrypting the decrypted
 * plaintext again with the JDK's GCM, and on a mismatch the output range is zeroed; that costs a second
 * AES pass and a GCM initialization per object, whose allocation gave a restore of the 300,000 small
 * files 231 young collections instead of 142.
 */
final class AesGcmAead extends JdkAead {
  private static final ThreadLocal<Cipher> COUNTER_MODE = ThreadLocal.withInitial(() -> cipher("AES/CTR/NoPadding"));
  private static final ThreadLocal<Cipher> TAGGING = ThreadLocal.withInitial(() -> cipher("AES/GCM/NoPadding"));
  private static final ThreadLocal<byte[]> SINK = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

  private final SecretKeySpec key;

  /** Whether tags are checked with {@link JdkGhash} before decrypting, rather than recomputed after. */
  private final boolean tagsByGhash;

  AesGcmAead(byte[] key) {
    this(key, JdkGhash.AVAILABLE);
  }

  /** With {@code tagsByGhash} false, tags are recomputed after decrypting even where the JDK's GHASH is reachable. */
  AesGcmAead(byte[] key, boolean tagsByGhash) {
    super("AES/GCM/NoPadding", "AES", key, true);
    if (tagsByGhash && !JdkGhash.AVAILABLE) {
      throw new IllegalArgumentException("the JDK's GHASH is not reachable in this JVM");
    }
    this.key = new SecretKeySpec(key, "AES");
    this.tagsByGhash = tagsByGhash;
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
    if (tagsByGhash) {
      checkTag(nonce, associatedData, in, inOffset, plainLength);
    }
    try {
      Cipher ctr = COUNTER_MODE.get();
      // The keystream starts at counter block 2: block 1 (J0) masks the tag.
      ctr.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(counterBlock(nonce, 2, new byte[16])));
      int written = updateInSlices(ctr, in, inOffset, plainLength, out, outOffset);
      ctr.doFinal(out, outOffset + written);
      if (tagsByGhash) {
        return plainLength;
      }
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
   * Fails unless the stored tag after the {@code plainLength} bytes of ciphertext at {@code inOffset} is
   * GCM's tag for them, {@code associatedData} and {@code nonce} under this key.
   */
  private void checkTag(byte[] nonce, byte[] associatedData, byte[] in, int inOffset, int plainLength)
      throws CorruptDataException {
    TagState state = TAG_STATE.get();
    byte[] hash;
    byte[] mask;
    try {
      JdkGhash ghash = state.use(key);
      ghash.update(associatedData, 0, associatedData.length);
      ghash.update(in, inOffset, plainLength);
      hash = ghash.finish(associatedData.length, plainLength);
      mask = state.encrypt(counterBlock(nonce, 1, state.block));
    } catch (RuntimeException e) {
      // A hash left half-computed must not start the next object's.
      state.forget();
      throw e;
    }
    int difference = 0;
    for (int i = 0; i < AeadAlgorithm.TAG_LENGTH; i++) {
      difference |= hash[i] ^ mask[i] ^ in[inOffset + plainLength + i];
    }
    if (difference != 0) {
      throw new CorruptDataException("authentication failed (wrong key, or the bytes were modified)");
    }
  }

  /**
   * GCM's counter block {@code counter} for a 96-bit nonce, written into {@code block}: the nonce, then
   * the 32-bit counter (1 is J0).
   */
  private static byte[] counterBlock(byte[] nonce, int counter, byte[] block) {
    System.arraycopy(nonce, 0, block, 0, AeadAlgorithm.NONCE_LENGTH);
    block[12] = (byte) (counter >>> 24);
    block[13] = (byte) (counter >>> 16);
    block[14] = (byte) (counter >>> 8);
    block[15] = (byte) counter;
    return block;
  }

  /**
   * What a thread checks tags with: the block cipher and the GHASH of the key it used last. A restore opens
   * the chunks of one pack (one key) after another, so they are set up once per pack, not per chunk.
   */
  private static final class TagState {
    private final Cipher blockCipher = cipher("AES/ECB/NoPadding");
    private final byte[] block = new byte[16];
    private final byte[] encrypted = new byte[16];
    private @Nullable SecretKeySpec key;
    private @Nullable JdkGhash ghash;

    /** Sets the block cipher up for {@code wanted} unless it is set up for it, and returns its GHASH. */
    JdkGhash use(SecretKeySpec wanted) {
      JdkGhash current = ghash;
      if (wanted == key && current != null) {
        return current;
      }
      forget();
      try {
        blockCipher.init(Cipher.ENCRYPT_MODE, wanted);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES refused a 256-bit key", e);
      }
      // The hash subkey H: the all-zero block, encrypted.
      current = new JdkGhash(encrypt(new byte[16]).clone());
      ghash = current;
      key = wanted;
      return current;
    }

    void forget() {
      key = null;
      ghash = null;
    }

    /** The block cipher applied to one block; the result is valid until the next call. */
    byte[] encrypt(byte[] in) {
      try {
        blockCipher.doFinal(in, 0, 16, encrypted, 0);
        return encrypted;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES failed on one block", e);
      }
    }
  }

  private static final ThreadLocal<TagState> TAG_STATE = ThreadLocal.withInitial(TagState::new);

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
