package dev.bakare.internal.repo;

import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.format.CorruptDataException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The repository config, stored in plain text as {@code config}: it holds no secret, so the format
 * version can be checked before any key is loaded, but it ends with an HMAC (keyed from the index key)
 * so a key proves it belongs and tampering is detected. Layout in docs/design.md, "Config".
 */
public record Config(
    int version,
    String id,
    Instant created,
    String chunker,
    ChunkerParameters chunkerParameters,
    String cipher,
    int packSize,
    String keyFingerprint) {

  public static final int VERSION = 1;
  static final String CHUNK_ID = "hmac-sha256";
  static final String COMPRESSION = "zstd";
  private static final String WHAT = "repository config";
  private static final HexFormat HEX = HexFormat.of();

  /** The bytes of the config, MAC included. */
  public byte[] encode(KeyMaterial keys) {
    String body = TextRecord.format(fields());
    byte[] mac = Crypto.hmacSha256(macKey(keys), body.getBytes(StandardCharsets.UTF_8));
    return (body + "mac: " + HEX.formatHex(mac) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private Map<String, String> fields() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("bakare-repository", Integer.toString(version));
    f.put("id", id);
    f.put("created", created.toString());
    f.put("chunker", chunker);
    f.put("chunker-min", Integer.toString(chunkerParameters.minSize()));
    f.put("chunker-average", Integer.toString(chunkerParameters.averageSize()));
    f.put("chunker-max", Integer.toString(chunkerParameters.maxSize()));
    f.put("cipher", cipher);
    f.put("chunk-id", CHUNK_ID);
    f.put("compression", COMPRESSION);
    f.put("pack-size", Integer.toString(packSize));
    f.put("key-fingerprint", keyFingerprint);
    return f;
  }

  /**
   * Reads the format version only, so that a newer repository gets a clear message rather than a parse
   * error.
   */
  public static int peekVersion(byte[] bytes) throws CorruptDataException {
    Map<String, String> fields = TextRecord.parse(bytes, WHAT);
    return (int) TextRecord.number(fields, "bakare-repository", WHAT, 1, Integer.MAX_VALUE);
  }

  /** Decodes without checking the MAC (no key is loaded yet); see {@link #verify}. */
  public static Config decode(byte[] bytes) throws CorruptDataException {
    Map<String, String> f = TextRecord.parse(bytes, WHAT);
    int version = (int) TextRecord.number(f, "bakare-repository", WHAT, 1, Integer.MAX_VALUE);
    if (version != VERSION) {
      throw new CorruptDataException(WHAT + " has format version " + version + ", this bakare reads " + VERSION);
    }
    String id = TextRecord.require(f, "id", WHAT);
    if (!id.matches("[0-9a-f]{32}")) {
      throw new CorruptDataException(WHAT + " id '" + id + "' is not 32 hex digits");
    }
    Instant created;
    try {
      created = Instant.parse(TextRecord.require(f, "created", WHAT));
    } catch (DateTimeException e) {
      throw new CorruptDataException(WHAT + " 'created' is not a time", e);
    }
    ChunkerParameters parameters;
    try {
      parameters = new ChunkerParameters(
          (int) TextRecord.number(f, "chunker-min", WHAT, 1, Integer.MAX_VALUE),
          (int) TextRecord.number(f, "chunker-average", WHAT, 1, Integer.MAX_VALUE),
          (int) TextRecord.number(f, "chunker-max", WHAT, 1, Integer.MAX_VALUE));
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException(WHAT + " has invalid chunker sizes: " + e.getMessage(), e);
    }
    if (!CHUNK_ID.equals(TextRecord.require(f, "chunk-id", WHAT))) {
      throw new CorruptDataException(WHAT + " uses chunk ids '" + f.get("chunk-id") + "', this bakare knows " + CHUNK_ID);
    }
    if (!COMPRESSION.equals(TextRecord.require(f, "compression", WHAT))) {
      throw new CorruptDataException(WHAT + " uses compression '" + f.get("compression") + "', this bakare knows " + COMPRESSION);
    }
    String fingerprint = TextRecord.require(f, "key-fingerprint", WHAT);
    if (!fingerprint.matches("[0-9a-f]{64}")) {
      throw new CorruptDataException(WHAT + " key-fingerprint is not 64 hex digits");
    }
    TextRecord.require(f, "mac", WHAT);
    Config config = new Config(version, id, created, TextRecord.require(f, "chunker", WHAT), parameters,
        TextRecord.require(f, "cipher", WHAT),
        (int) TextRecord.number(f, "pack-size", WHAT, 1 << 16, 1 << 30), fingerprint);
    if (f.size() != config.fields().size() + 1) {
      throw new CorruptDataException(WHAT + " has fields this bakare does not know: " + f.keySet());
    }
    return config;
  }

  /** Whether {@code keys} fits this config: same master key, and the config MAC verifies under it. */
  public static boolean macMatches(byte[] bytes, KeyMaterial keys) throws CorruptDataException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    int macLine = text.lastIndexOf("mac: ");
    if (macLine < 0 || (macLine > 0 && text.charAt(macLine - 1) != '\n')) {
      throw new CorruptDataException(WHAT + " has no mac line");
    }
    String hex = text.substring(macLine + 5).strip();
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new CorruptDataException(WHAT + " mac is not 64 hex digits");
    }
    byte[] expected = Crypto.hmacSha256(macKey(keys), text.substring(0, macLine).getBytes(StandardCharsets.UTF_8));
    return Crypto.constantTimeEquals(expected, HEX.parseHex(hex));
  }

  public boolean fingerprintMatches(KeyMaterial keys) {
    return keyFingerprint.equals(HEX.formatHex(keys.fingerprint()));
  }

  private static byte[] macKey(KeyMaterial keys) {
    return Crypto.hkdf(keys.indexKey(), new byte[0], "bakare config mac v1".getBytes(StandardCharsets.US_ASCII), 32);
  }
}
