package dev.bakare.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Sealing a piece at a time into a target writes exactly the bytes the JDK's cipher seals in one call (the
 * bytes {@link Aead#seal(byte[], byte[], byte[], int, int, byte[], int)} writes into one array; a nonce is
 * sealed once here, as the JDK's ChaCha20-Poly1305 refuses a key and nonce twice).
 */
class SealTargetProperties {
  @Property(tries = 150)
  void piecewiseSealingEqualsSealingIntoOneArray(@ForAll @Size(max = 70_000) byte[] plain,
      @ForAll @Size(max = 40) byte[] aad, @ForAll @Size(12) byte[] nonce, @ForAll boolean chacha,
      @ForAll @IntRange(min = 0, max = 9) int inOffset, @ForAll long roomSeed) throws Exception {
    byte[] key = Crypto.randomBytes(32);
    Cipher jdk = Cipher.getInstance(chacha ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, chacha ? "ChaCha20" : "AES"),
        chacha ? new IvParameterSpec(nonce) : new GCMParameterSpec(128, nonce));
    jdk.updateAAD(aad);
    byte[] whole = jdk.doFinal(plain);

    Aead aead = (chacha ? new ChaCha20Poly1305() : new Aes256Gcm()).withKey(key);
    byte[] in = new byte[inOffset + plain.length];
    System.arraycopy(plain, 0, in, inOffset, plain.length);
    Pieces target = new Pieces(new Random(roomSeed));
    int written = aead.seal(nonce, aad, in, inOffset, plain.length, target);

    assertEquals(whole.length, written);
    assertArrayEquals(whole, target.bytes.toByteArray());
    assertTrue(target.largest <= SealTarget.MAX_PIECE, "asked for " + target.largest + " bytes at once");
  }

  /**
   * Hands out exactly the room asked for, at a random offset of a new array each time, so a seal that wrote
   * past its room or outside its offset fails.
   */
  private static final class Pieces implements SealTarget {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final Random random;
    int largest;
    byte[] room = new byte[0];
    int offset;

    Pieces(Random random) {
      this.random = random;
    }

    @Override
    public byte[] reserve(int length) {
      largest = Math.max(largest, length);
      offset = random.nextInt(5);
      room = new byte[offset + length];
      return room;
    }

    @Override
    public int reservedOffset() {
      return offset;
    }

    @Override
    public void advance(int written) {
      assertTrue(offset + written <= room.length, "wrote more than it reserved");
      bytes.write(room, offset, written);
    }
  }
}
