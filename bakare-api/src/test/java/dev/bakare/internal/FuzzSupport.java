package dev.bakare.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the decoder fuzz tests share: a fixed key (committed seeds are sealed under it, so they must open
 * in every run), the rule that a decoder either decodes or throws {@link CorruptDataException}, and the
 * seed files.
 *
 * <p>Seeds are valid encodings kept with Jazzer's regression inputs ({@code src/test/resources/<package>/
 * <Class>Inputs/<method>/seed-*}), so regression mode in every build exercises real structure. Each fuzz
 * class checks that its seeds still decode; {@code -Dbakare.writeFuzzSeeds=<src/test/resources>} makes it
 * write them first.
 */
public final class FuzzSupport {
  /** The property naming the resources directory to write seeds into. */
  public static final String WRITE_SEEDS = "bakare.writeFuzzSeeds";

  /** A full key built from constant bytes. */
  public static final KeyMaterial FULL_KEY = fixedKey();
  public static final KeyMaterial WRITE_KEY = FULL_KEY.toWriteKey();
  public static final Sealing FULL = new Sealing(new Aes256Gcm(), FULL_KEY);
  public static final Sealing WRITE = new Sealing(new Aes256Gcm(), WRITE_KEY);

  private FuzzSupport() {}

  private static KeyMaterial fixedKey() {
    byte[] privateKey = filled(32, 0x11);
    ByteWriter w = new ByteWriter(200).u8(1).u8(1).bytes(privateKey).bytes(Crypto.x25519PublicKey(privateKey))
        .bytes(filled(32, 0x22)).bytes(filled(32, 0x33)).bytes(filled(32, 0x44));
    try {
      return KeyMaterial.decode(w.toByteArray());
    } catch (CorruptDataException e) {
      throw new IllegalStateException("the fixed test key does not decode", e);
    }
  }

  /** {@code length} bytes of {@code value}: constant ids and keys for seeds. */
  public static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  /** Code that decodes bytes from storage. */
  @FunctionalInterface
  public interface Decoding {
    void run() throws Exception;
  }

  /**
   * Runs {@code decoding}, accepting success and {@link CorruptDataException}: anything else propagates, and
   * Jazzer reports it as a finding.
   */
  public static void decodesOrRejects(Decoding decoding) throws Exception {
    try {
      decoding.run();
    } catch (CorruptDataException expected) {
      // Rejected as corrupt: what a decoder must do with bad bytes.
    }
  }

  /** The directory of a fuzz test method's regression inputs under {@code resources}. */
  public static Path inputs(Path resources, Class<?> fuzzClass, String method) {
    return resources.resolve(fuzzClass.getPackageName().replace('.', '/'))
        .resolve(fuzzClass.getSimpleName() + "Inputs").resolve(method);
  }

  /**
   * The committed seeds of a fuzz test method, read from the test class path; first written to the source
   * tree from {@code generator} when {@value #WRITE_SEEDS} is set. Generated only then: sealed seeds use
   * fixed keys and nonces, which must seal once, not on every run.
   */
  public static List<byte[]> seeds(Class<?> fuzzClass, String method, Supplier<List<byte[]>> generator) {
    String target = System.getProperty(WRITE_SEEDS);
    try {
      if (target != null) {
        List<byte[]> generated = generator.get();
        Path dir = Files.createDirectories(inputs(Path.of(target), fuzzClass, method));
        for (int i = 0; i < generated.size(); i++) {
          Files.write(dir.resolve("seed-" + i), generated.get(i));
        }
        return generated;
      }
      Path dir = inputs(Path.of("target/test-classes"), fuzzClass, method);
      List<byte[]> seeds = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.filter(f -> f.getFileName().toString().startsWith("seed-")).sorted().toList()) {
          seeds.add(Files.readAllBytes(file));
        }
      }
      assertFalse(seeds.isEmpty(), "no seeds in " + dir);
      return seeds;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
