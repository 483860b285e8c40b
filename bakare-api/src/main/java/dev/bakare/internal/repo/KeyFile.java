package dev.bakare.internal.repo;

import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.format.CorruptDataException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.jspecify.annotations.Nullable;

/**
 * A key file: text lines naming the repository and key kind, and the key material, either in the clear
 * (protected by the file's 0600 mode) or sealed with AES-256-GCM under a key derived from a passphrase
 * with Argon2id. Layout in docs/design.md, "Key files".
 */
public record KeyFile(
    String kind, String repositoryId, Instant created, @Nullable Argon2 argon2, byte[] material) {
  public static final String FULL = "full";
  public static final String WRITE = "write";
  private static final String WHAT = "key file";

  /**
   * Argon2id cost parameters and salt.
   *
   * @param memoryKiB memory in KiB
   * @param iterations passes over the memory
   * @param parallelism lanes
   */
  public record Argon2(int memoryKiB, int iterations, int parallelism, byte[] salt) {
    /** 64 MiB, 3 passes: about half a second here, and far beyond what GPUs crack cheaply. */
    public static Argon2 withNewSalt() {
      return new Argon2(64 * 1024, 3, 1, Crypto.randomBytes(16));
    }

    byte[] derive(char[] passphrase) {
      Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
          .withVersion(Argon2Parameters.ARGON2_VERSION_13)
          .withMemoryAsKB(memoryKiB)
          .withIterations(iterations)
          .withParallelism(parallelism)
          .withSalt(salt)
          .build();
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(parameters);
      byte[] key = new byte[32];
      generator.generateBytes(passphrase, key);
      return key;
    }

    String encode() {
      return "m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + ",salt="
          + Base64.getEncoder().encodeToString(salt);
    }

    static Argon2 decode(String text) throws CorruptDataException {
      String[] parts = text.split(",", -1);
      if (parts.length != 4 || !parts[0].startsWith("m=") || !parts[1].startsWith("t=")
          || !parts[2].startsWith("p=") || !parts[3].startsWith("salt=")) {
        throw new CorruptDataException(WHAT + " argon2id parameters '" + text + "' are not m=..,t=..,p=..,salt=..");
      }
      try {
        // Bounded so a forged file cannot make us allocate gigabytes or spin for hours.
        int m = Integer.parseInt(parts[0].substring(2));
        int t = Integer.parseInt(parts[1].substring(2));
        int p = Integer.parseInt(parts[2].substring(2));
        byte[] salt = Base64.getDecoder().decode(parts[3].substring(5));
        if (m < 8 || m > 256 * 1024 || t < 1 || t > 64 || p < 1 || p > 16 || m < 8 * p || salt.length < 8 || salt.length > 64) {
          throw new CorruptDataException(WHAT + " argon2id parameters " + text + " are out of the supported range");
        }
        return new Argon2(m, t, p, salt);
      } catch (IllegalArgumentException e) {
        throw new CorruptDataException(WHAT + " argon2id parameters '" + text + "' do not parse", e);
      }
    }
  }

  /** A key file for {@code keys}, sealed under {@code passphrase} unless it is null. */
  public static KeyFile create(KeyMaterial keys, String repositoryId, @Nullable char[] passphrase) {
    String kind = keys.isFull() ? FULL : WRITE;
    Instant created = Instant.now();
    byte[] plain = keys.encode();
    if (passphrase == null) {
      return new KeyFile(kind, repositoryId, created, null, plain);
    }
    Argon2 argon2 = Argon2.withNewSalt();
    byte[] wrappingKey = argon2.derive(passphrase);
    byte[] nonce = Crypto.randomBytes(AeadAlgorithm.NONCE_LENGTH);
    byte[] sealed = new Aes256Gcm().withKey(wrappingKey).seal(nonce, associatedData(kind, repositoryId), plain);
    Crypto.wipe(wrappingKey);
    Crypto.wipe(plain);
    return new KeyFile(kind, repositoryId, created, argon2, Crypto.concat(nonce, sealed));
  }

  public boolean needsPassphrase() {
    return argon2 != null;
  }

  /** Outcome of {@link #unlock}: the key material, or why it could not be had. */
  public sealed interface Unlocked permits Unlocked.Key, Unlocked.PassphraseNeeded, Unlocked.WrongPassphrase {
    /** The key. */
    record Key(KeyMaterial keys) implements Unlocked {}

    /** The file is passphrase-protected and none was given. */
    record PassphraseNeeded() implements Unlocked {}

    /** The passphrase did not open the file. */
    record WrongPassphrase() implements Unlocked {}
  }

  public Unlocked unlock(@Nullable char[] passphrase) throws CorruptDataException {
    Argon2 a = argon2;
    if (a == null) {
      return checkKind(KeyMaterial.decode(material));
    }
    if (passphrase == null) {
      return new Unlocked.PassphraseNeeded();
    }
    if (material.length < AeadAlgorithm.NONCE_LENGTH + AeadAlgorithm.TAG_LENGTH) {
      throw new CorruptDataException(WHAT + " sealed material is too short");
    }
    byte[] wrappingKey = a.derive(passphrase);
    try {
      byte[] plain = new Aes256Gcm().withKey(wrappingKey).open(
          Arrays.copyOf(material, AeadAlgorithm.NONCE_LENGTH), associatedData(kind, repositoryId),
          material, AeadAlgorithm.NONCE_LENGTH, material.length - AeadAlgorithm.NONCE_LENGTH);
      return checkKind(KeyMaterial.decode(plain));
    } catch (CorruptDataException e) {
      // The tag covers the material and the header; a wrong passphrase is by far the likeliest cause.
      return new Unlocked.WrongPassphrase();
    } finally {
      Crypto.wipe(wrappingKey);
    }
  }

  private Unlocked checkKind(KeyMaterial keys) throws CorruptDataException {
    if (keys.isFull() != kind.equals(FULL)) {
      throw new CorruptDataException(WHAT + " says kind '" + kind + "' but holds a " + (keys.isFull() ? "full" : "write") + " key");
    }
    return new Unlocked.Key(keys);
  }

  public byte[] encode() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("bakare-key", "1");
    f.put("kind", kind);
    f.put("repository", repositoryId);
    f.put("created", created.toString());
    Argon2 a = argon2;
    f.put("protection", a == null ? "none" : "argon2id");
    if (a != null) {
      f.put("argon2id", a.encode());
    }
    f.put("material", Base64.getEncoder().encodeToString(material));
    return TextRecord.format(f).getBytes(StandardCharsets.UTF_8);
  }

  public static KeyFile decode(byte[] bytes) throws CorruptDataException {
    Map<String, String> f = TextRecord.parse(bytes, WHAT);
    long version = TextRecord.number(f, "bakare-key", WHAT, 1, Integer.MAX_VALUE);
    if (version != 1) {
      throw new CorruptDataException(WHAT + " has version " + version + ", this bakare reads 1");
    }
    String kind = TextRecord.require(f, "kind", WHAT);
    if (!kind.equals(FULL) && !kind.equals(WRITE)) {
      throw new CorruptDataException(WHAT + " kind '" + kind + "' is neither full nor write");
    }
    String repository = TextRecord.require(f, "repository", WHAT);
    if (!repository.matches("[0-9a-f]{32}")) {
      throw new CorruptDataException(WHAT + " repository id '" + repository + "' is not 32 hex digits");
    }
    Instant created;
    try {
      created = Instant.parse(TextRecord.require(f, "created", WHAT));
    } catch (DateTimeException e) {
      throw new CorruptDataException(WHAT + " 'created' is not a time", e);
    }
    String protection = TextRecord.require(f, "protection", WHAT);
    Argon2 argon2;
    int expectedFields;
    if (protection.equals("none")) {
      argon2 = null;
      expectedFields = 6;
    } else if (protection.equals("argon2id")) {
      argon2 = Argon2.decode(TextRecord.require(f, "argon2id", WHAT));
      expectedFields = 7;
    } else {
      throw new CorruptDataException(WHAT + " protection '" + protection + "' is unknown");
    }
    byte[] material;
    try {
      material = Base64.getDecoder().decode(TextRecord.require(f, "material", WHAT));
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException(WHAT + " material is not base64", e);
    }
    if (f.size() != expectedFields) {
      throw new CorruptDataException(WHAT + " has unexpected fields: " + f.keySet());
    }
    return new KeyFile(kind, repository, created, argon2, material);
  }

  private static byte[] associatedData(String kind, String repositoryId) {
    return ("bakare key file v1 " + kind + " " + repositoryId).getBytes(StandardCharsets.US_ASCII);
  }
}
