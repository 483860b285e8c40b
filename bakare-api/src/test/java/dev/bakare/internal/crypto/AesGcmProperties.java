package dev.bakare.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.CorruptDataException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Opening, with the tag checked by the JDK's GHASH first or recomputed after decrypting, is exactly the
 * JDK's GCM decryption, and as strict; a rejected object leaves no plaintext behind.
 */
class AesGcmProperties {
  private static final byte UNTOUCHED = 0x5a;

  /** The tests run with com.sun.crypto.provider opened, as the CLI does: the GHASH way is the one tested. */
  @Example
  void theJdksGhashIsReachableHere() {
    assertTrue(JdkGhash.AVAILABLE, "JdkGhash.AVAILABLE: the build's surefire argLine opens com.sun.crypto.provider");
  }

  @Property(tries = 300)
  void opensWhatTheJdkSealsAndRejectsAnyChange(@ForAll @Size(max = 100_000) byte[] plain,
      @ForAll @Size(max = 40) byte[] aad, @ForAll @Size(12) byte[] nonce, @ForAll @IntRange(min = 0, max = 7) int offset,
      @ForAll int flipSeed, @ForAll boolean tagsByGhash) throws Exception {
    byte[] key = Crypto.randomBytes(32);
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    jdk.updateAAD(aad);
    byte[] sealed = jdk.doFinal(plain);
    byte[] shifted = new byte[offset + sealed.length];
    System.arraycopy(sealed, 0, shifted, offset, sealed.length);

    Aead aead = new AesGcmAead(key, tagsByGhash);
    byte[] out = new byte[plain.length + 3];
    aead.open(nonce, aad, shifted, offset, sealed.length, out, 3);
    assertArrayEquals(plain, Arrays.copyOfRange(out, 3, out.length));
    // The same object twice in a row on one thread: no "IV reuse" refusal.
    assertArrayEquals(plain, aead.open(nonce, aad, shifted, offset, sealed.length));

    byte[] tampered = shifted.clone();
    int at = offset + Math.floorMod(flipSeed, sealed.length);
    tampered[at] ^= (byte) (1 << Math.floorMod(flipSeed >>> 8, 8));
    byte[] rejectedOut = new byte[plain.length];
    Arrays.fill(rejectedOut, UNTOUCHED);
    assertThrows(CorruptDataException.class, () -> aead.open(nonce, aad, tampered, offset, sealed.length, rejectedOut, 0));
    for (byte b : rejectedOut) {
      // Checked first, a tag that fails lets nothing be written; recomputed after, the output is zeroed.
      assertTrue(b == (tagsByGhash ? UNTOUCHED : 0), "the output of a rejected object holds decrypted bytes");
    }
    byte[] otherAad = Arrays.copyOf(aad, aad.length + 1);
    assertThrows(CorruptDataException.class, () -> aead.open(nonce, otherAad, shifted, offset, sealed.length));
    byte[] otherKey = key.clone();
    otherKey[0] ^= 1;
    assertThrows(CorruptDataException.class,
        () -> new AesGcmAead(otherKey, tagsByGhash).open(nonce, aad, shifted, offset, sealed.length));
  }

  /** A thread that opens under one key, then another, then the first again, checks each with its own key. */
  @Example
  void aThreadSwitchingKeysChecksEachObjectWithItsOwnKey() throws Exception {
    byte[] nonce = new byte[12];
    byte[] plain = "one object".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Aead first = new AesGcmAead(Crypto.randomBytes(32), true);
    Aead second = new AesGcmAead(Crypto.randomBytes(32), true);
    byte[] byFirst = first.seal(nonce, new byte[0], plain);
    byte[] bySecond = second.seal(nonce, new byte[0], plain);
    for (int round = 0; round < 2; round++) {
      assertArrayEquals(plain, first.open(nonce, new byte[0], byFirst, 0, byFirst.length));
      assertThrows(CorruptDataException.class, () -> second.open(nonce, new byte[0], byFirst, 0, byFirst.length));
      assertArrayEquals(plain, second.open(nonce, new byte[0], bySecond, 0, bySecond.length));
    }
  }
}
