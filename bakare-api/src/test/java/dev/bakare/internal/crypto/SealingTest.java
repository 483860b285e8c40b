package dev.bakare.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.CorruptDataException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SealingTest {
  private final KeyMaterial keys = KeyMaterial.generate();
  private final Sealing full = new Sealing(new Aes256Gcm(), keys);
  private final Sealing write = new Sealing(new Aes256Gcm(), keys.toWriteKey());
  private final byte[] message = "the plaintext".getBytes(StandardCharsets.UTF_8);

  @Test
  void indexKeyObjectsOpenWithEitherKeyAndOnlyForTheirPurpose() throws CorruptDataException {
    byte[] sealed = write.sealWithIndexKey("index v1", message);
    assertArrayEquals(message, full.openWithIndexKey("index v1", sealed));
    assertThrows(CorruptDataException.class, () -> full.openWithIndexKey("snapshot summary v1", sealed));
    assertThrows(CorruptDataException.class,
        () -> new Sealing(new Aes256Gcm(), KeyMaterial.generate()).openWithIndexKey("index v1", sealed));
  }

  @Test
  void masterSealedObjectsOpenOnlyWithTheFullKey() throws CorruptDataException {
    byte[] sealed = write.sealToMaster("snapshot detail v1", message);
    assertArrayEquals(message, full.openFromMaster("snapshot detail v1", sealed));
    assertThrows(IllegalStateException.class, () -> write.openFromMaster("snapshot detail v1", sealed));
    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x40;
      assertThrows(CorruptDataException.class, () -> full.openFromMaster("snapshot detail v1", tampered),
          "flipping byte " + i + " must be detected");
    }
  }

  @Test
  void keyMaterialRoundTripsAndTheWriteKeyLacksThePrivateKey() throws CorruptDataException {
    assertTrue(KeyMaterial.decode(keys.encode()).isFull());
    KeyMaterial writeOnly = KeyMaterial.decode(keys.toWriteKey().encode());
    assertFalse(writeOnly.isFull());
    assertArrayEquals(keys.fingerprint(), writeOnly.fingerprint());
    byte[] mismatched = keys.encode();
    mismatched[2] ^= 0x10; // not a bit X25519 clamping ignores
    assertThrows(CorruptDataException.class, () -> KeyMaterial.decode(mismatched));
  }

  @Test
  void bothCiphersRoundTripLargeInputs() throws CorruptDataException {
    byte[] big = Crypto.randomBytes(3 << 20);
    for (AeadAlgorithm algorithm : new AeadAlgorithm[] {new Aes256Gcm(), new ChaCha20Poly1305()}) {
      Aead aead = algorithm.withKey(Crypto.randomBytes(32));
      byte[] nonce = Crypto.randomBytes(12);
      byte[] sealed = aead.seal(nonce, new byte[] {1, 2}, big);
      assertArrayEquals(big, aead.open(nonce, new byte[] {1, 2}, sealed, 0, sealed.length), algorithm.name());
      assertThrows(CorruptDataException.class, () -> aead.open(nonce, new byte[] {1, 3}, sealed, 0, sealed.length));
    }
  }
}
