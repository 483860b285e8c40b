package dev.bakare.internal.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.format.CorruptDataException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ConfigAndKeyFileTest {
  private final KeyMaterial keys = KeyMaterial.generate();
  private final Config config = new Config(1, "0123456789abcdef0123456789abcdef", Instant.parse("2026-11-26T00:00:00Z"),
      "fastcdc-v1", ChunkerParameters.DEFAULT, "aes-256-gcm", 16 << 20, HexFormat.of().formatHex(keys.fingerprint()));

  @Test
  void configRoundTripsAndItsMacCatchesTampering() throws CorruptDataException {
    byte[] bytes = config.encode(keys);
    assertEquals(config, Config.decode(bytes));
    assertTrue(Config.macMatches(bytes, keys));
    assertFalse(Config.macMatches(bytes, KeyMaterial.generate()));
    String text = new String(bytes, StandardCharsets.UTF_8);
    byte[] tampered = text.replace("pack-size: 16777216", "pack-size: 16777217").getBytes(StandardCharsets.UTF_8);
    assertFalse(Config.macMatches(tampered, keys));
    assertTrue(config.fingerprintMatches(keys.toWriteKey()));
  }

  @Test
  void newerConfigVersionsAreRecognizedBeforeParsing() throws CorruptDataException {
    byte[] future = "bakare-repository: 2\nsomething-new: yes\n".getBytes(StandardCharsets.UTF_8);
    assertEquals(2, Config.peekVersion(future));
    assertThrows(CorruptDataException.class, () -> Config.decode(future));
  }

  @Test
  void keyFilesRoundTripWithAndWithoutPassphrase() throws CorruptDataException {
    KeyFile plain = KeyFile.decode(KeyFile.create(keys, config.id(), null).encode());
    assertInstanceOf(KeyFile.Unlocked.Key.class, plain.unlock(null));

    KeyFile sealed = KeyFile.decode(KeyFile.create(keys.toWriteKey(), config.id(), "pw".toCharArray()).encode());
    assertEquals(KeyFile.WRITE, sealed.kind());
    assertInstanceOf(KeyFile.Unlocked.PassphraseNeeded.class, sealed.unlock(null));
    assertInstanceOf(KeyFile.Unlocked.WrongPassphrase.class, sealed.unlock("nope".toCharArray()));
    KeyFile.Unlocked unlocked = sealed.unlock("pw".toCharArray());
    assertFalse(((KeyFile.Unlocked.Key) unlocked).keys().isFull());
  }

  @Test
  void keyFilesWithForgedArgon2CostsAreRejected() {
    String forged = "bakare-key: 1\nkind: full\nrepository: " + config.id() + "\ncreated: 2026-11-26T00:00:00Z\n"
        + "protection: argon2id\nargon2id: m=99999999,t=3,p=1,salt=AAAAAAAAAAAAAAAAAAAAAA==\nmaterial: AAAA\n";
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> KeyFile.decode(forged.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("out of the supported range"), e.getMessage());
  }
}
