package dev.bakare.internal.repo;

import static dev.bakare.internal.FuzzSupport.FULL_KEY;
import static dev.bakare.internal.FuzzSupport.WRITE_KEY;
import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Key files, from the local key directory or from the repository's {@code keys/}: the text decoder with
 * unlocking, the key material plaintext, and passphrase-sealed material (forged or damaged ciphertext must
 * come back as a wrong passphrase, never as an exception of another kind).
 */
class KeyFileFuzzTest {
  private static final char[] PASSPHRASE = "correct horse".toCharArray();
  /** Cheap Argon2 costs so that each fuzz input runs in microseconds; the format allows them. */
  private static final KeyFile.Argon2 CHEAP = new KeyFile.Argon2(8, 1, 1, FuzzSupport.filled(16, 0x2b));
  private static final String REPOSITORY = "0123456789abcdef0123456789abcdef";

  @FuzzTest
  void keyFile(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> decodeAndUnlock(input));
  }

  private static KeyFile.Unlocked decodeAndUnlock(byte[] input) throws Exception {
    KeyFile file = KeyFile.decode(input);
    KeyFile.Argon2 argon2 = file.argon2();
    // Argon2 at the largest costs the decoder accepts takes seconds by design; the fuzzer unlocks only
    // files it can afford to, and the decoder's bounds are what keeps the rest finite.
    if (argon2 != null && (long) argon2.memoryKiB() * argon2.iterations() > 64) {
      return file.unlock(null);
    }
    return file.unlock(PASSPHRASE);
  }

  @FuzzTest
  void material(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> KeyMaterial.decode(input));
  }

  @FuzzTest
  void sealedMaterial(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> unlockSealed(input));
  }

  private static KeyFile.Unlocked unlockSealed(byte[] material) throws Exception {
    return new KeyFile(KeyFile.FULL, REPOSITORY, Instant.EPOCH, CHEAP, material).unlock(PASSPHRASE);
  }

  /** Sealed as KeyFile.create does, with cheap costs and a nonce of its own for each seed. */
  private static byte[] sealedMaterial(KeyMaterial keys, String kind, int nonceByte) {
    byte[] wrappingKey = CHEAP.derive(PASSPHRASE);
    byte[] nonce = FuzzSupport.filled(AeadAlgorithm.NONCE_LENGTH, nonceByte);
    byte[] aad = ("bakare key file v1 " + kind + " " + REPOSITORY).getBytes(StandardCharsets.US_ASCII);
    return Crypto.concat(nonce, new Aes256Gcm().withKey(wrappingKey).seal(nonce, aad, keys.encode()));
  }


  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    for (byte[] seed : FuzzSupport.seeds(getClass(), "keyFile", () -> List.of(
        new KeyFile(KeyFile.FULL, REPOSITORY, Instant.EPOCH, null, FULL_KEY.encode()).encode(),
        new KeyFile(KeyFile.WRITE, REPOSITORY, Instant.ofEpochSecond(1_700_000_000L), null, WRITE_KEY.encode()).encode(),
        new KeyFile(KeyFile.FULL, REPOSITORY, Instant.EPOCH, CHEAP, sealedMaterial(FULL_KEY, KeyFile.FULL, 0x08)).encode()))) {
      assertInstanceOf(KeyFile.Unlocked.Key.class, decodeAndUnlock(seed));
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "material", () -> List.of(FULL_KEY.encode(), WRITE_KEY.encode()))) {
      KeyMaterial.decode(seed);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "sealedMaterial", () -> List.of(sealedMaterial(FULL_KEY, KeyFile.FULL, 0x09)))) {
      KeyFile.Unlocked unlocked = unlockSealed(seed);
      assertInstanceOf(KeyFile.Unlocked.Key.class, unlocked);
      assertArrayEquals(FULL_KEY.encode(), ((KeyFile.Unlocked.Key) unlocked).keys().encode());
    }
  }
}
