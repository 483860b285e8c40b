package dev.bakare.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bakare.internal.format.CorruptDataException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Opening by CTR plus re-computed tag is exactly the JDK's GCM decryption, and as strict. */
class AesGcmProperties {
  @Property(tries = 200)
  void opensWhatTheJdkSealsAndRejectsAnyChange(@ForAll @Size(max = 100_000) byte[] plain,
      @ForAll @Size(max = 40) byte[] aad, @ForAll @Size(12) byte[] nonce, @ForAll @IntRange(min = 0, max = 7) int offset,
      @ForAll int flipSeed) throws Exception {
    byte[] key = Crypto.randomBytes(32);
    Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    jdk.updateAAD(aad);
    byte[] sealed = jdk.doFinal(plain);
    byte[] shifted = new byte[offset + sealed.length];
    System.arraycopy(sealed, 0, shifted, offset, sealed.length);

    Aead aead = new Aes256Gcm().withKey(key);
    byte[] out = new byte[plain.length + 3];
    aead.open(nonce, aad, shifted, offset, sealed.length, out, 3);
    assertArrayEquals(plain, java.util.Arrays.copyOfRange(out, 3, out.length));
    // The same object twice in a row on one thread: no "IV reuse" refusal.
    assertArrayEquals(plain, aead.open(nonce, aad, shifted, offset, sealed.length));

    byte[] tampered = shifted.clone();
    int at = offset + Math.floorMod(flipSeed, sealed.length);
    tampered[at] ^= (byte) (1 << Math.floorMod(flipSeed >>> 8, 8));
    assertThrows(CorruptDataException.class, () -> aead.open(nonce, aad, tampered, offset, sealed.length));
    byte[] otherAad = java.util.Arrays.copyOf(aad, aad.length + 1);
    assertThrows(CorruptDataException.class, () -> aead.open(nonce, otherAad, shifted, offset, sealed.length));
  }
}
