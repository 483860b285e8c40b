package dev.bakare.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bakare.internal.format.CorruptDataException;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Opening in place (output over the input) gives the plaintext where the ciphertext was, and is as strict. */
class InPlaceOpenProperties {
  @Property(tries = 150)
  void openingInPlaceLeavesThePlaintextWhereTheCiphertextWas(@ForAll @Size(max = 70_000) byte[] plain,
      @ForAll @Size(max = 40) byte[] aad, @ForAll @Size(12) byte[] nonce, @ForAll boolean chacha,
      @ForAll @IntRange(min = 0, max = 9) int offset, @ForAll int flipSeed) throws Exception {
    Aead aead = (chacha ? new ChaCha20Poly1305() : new Aes256Gcm()).withKey(Crypto.randomBytes(32));
    byte[] sealed = aead.seal(nonce, aad, plain);
    byte[] buffer = new byte[offset + sealed.length + 5];
    Arrays.fill(buffer, (byte) 0x5a);
    System.arraycopy(sealed, 0, buffer, offset, sealed.length);
    byte[] tampered = buffer.clone();
    int at = offset + Math.floorMod(flipSeed, sealed.length);
    tampered[at] ^= (byte) (1 << Math.floorMod(flipSeed >>> 8, 8));

    aead.open(nonce, aad, buffer, offset, sealed.length, buffer, offset);

    assertArrayEquals(plain, Arrays.copyOfRange(buffer, offset, offset + plain.length));
    byte[] around = new byte[5];
    Arrays.fill(around, (byte) 0x5a);
    assertArrayEquals(around, Arrays.copyOfRange(buffer, buffer.length - 5, buffer.length), "bytes after it");
    assertThrows(CorruptDataException.class, () -> aead.open(nonce, aad, tampered, offset, sealed.length, tampered,
        offset));
  }
}
