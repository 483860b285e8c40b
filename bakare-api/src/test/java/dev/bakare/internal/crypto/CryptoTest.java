package dev.bakare.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

/**
 * X25519 against RFC 7748's vectors; HKDF-SHA256, built on the JDK's HMAC, against RFC 5869's and against
 * Bouncy Castle's HKDF (which repositories were written with before) on random inputs.
 */
class CryptoTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void x25519MatchesRfc7748() {
    assertArrayEquals(hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"), Crypto.x25519(
        hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
        hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")));
    // The top bit of this u-coordinate is set and must be ignored.
    assertArrayEquals(hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"), Crypto.x25519(
        hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
        hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")));
    byte[] alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] bob = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    byte[] alicePublic = Crypto.x25519PublicKey(alice);
    byte[] bobPublic = Crypto.x25519PublicKey(bob);
    assertArrayEquals(hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alicePublic);
    assertArrayEquals(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bobPublic);
    byte[] shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assertArrayEquals(shared, Crypto.x25519(alice, bobPublic));
    assertArrayEquals(shared, Crypto.x25519(bob, alicePublic));
  }

  @Test
  void lowOrderPublicKeysAreRefused() {
    byte[] key = Crypto.newX25519PrivateKey();
    assertThrows(IllegalArgumentException.class, () -> Crypto.x25519(key, new byte[32]));
    byte[] one = new byte[32];
    one[0] = 1;
    assertThrows(IllegalArgumentException.class, () -> Crypto.x25519(key, one));
  }

  @Test
  void hkdfMatchesRfc5869() {
    byte[] inputKey = hex("0b".repeat(22));
    assertArrayEquals(
        hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Crypto.hkdf(inputKey, hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42));
    assertArrayEquals(
        hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
        Crypto.hkdf(inputKey, new byte[0], new byte[0], 42));
  }

  @Property(tries = 200)
  void hkdfAgreesWithBouncyCastle(@ForAll @Size(max = 80) byte[] inputKey, @ForAll @Size(max = 80) byte[] salt,
      @ForAll @Size(max = 80) byte[] info, @ForAll @IntRange(max = 255 * 32) int length) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(inputKey, salt, info));
    byte[] expected = new byte[length];
    generator.generateBytes(expected, 0, length);
    assertArrayEquals(expected, Crypto.hkdf(inputKey, salt, info, length));
  }

  private static byte[] hex(String hex) {
    return HEX.parseHex(hex);
  }
}
