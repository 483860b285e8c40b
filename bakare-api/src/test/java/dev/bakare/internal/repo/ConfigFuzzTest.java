package dev.bakare.internal.repo;

import static dev.bakare.internal.FuzzSupport.FULL_KEY;
import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.internal.FuzzSupport;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The config, read before any key is loaded: version peek, decode, and the MAC check under a key. */
class ConfigFuzzTest {
  @FuzzTest
  void config(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> Config.peekVersion(input));
    decodesOrRejects(() -> Config.decode(input).fingerprintMatches(FULL_KEY));
    decodesOrRejects(() -> Config.macMatches(input, FULL_KEY));
  }

  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    String fingerprint = HexFormat.of().formatHex(FULL_KEY.fingerprint());
    Config a = new Config(Config.VERSION, "0123456789abcdef0123456789abcdef", Instant.EPOCH, "fastcdc-v1",
        new ChunkerParameters(512 * 1024, 1024 * 1024, 8 * 1024 * 1024), "aes-256-gcm", 16 << 20, fingerprint);
    Config b = new Config(Config.VERSION, "fedcba9876543210fedcba9876543210", Instant.ofEpochSecond(1_700_000_000L, 9),
        "fastcdc-v1", new ChunkerParameters(64 * 1024, 128 * 1024, 256 * 1024), "chacha20-poly1305", 1 << 16, fingerprint);
    for (byte[] seed : FuzzSupport.seeds(getClass(), "config", () -> List.of(a.encode(FULL_KEY), b.encode(FULL_KEY)))) {
      assertTrue(Config.decode(seed).fingerprintMatches(FULL_KEY));
      assertTrue(Config.macMatches(seed, FULL_KEY));
    }
  }
}
