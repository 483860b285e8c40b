package dev.bakare.internal.snapshot;

import dev.bakare.internal.cache.CacheFiles;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Snapshots read before, kept between runs in {@code <cache>/<repository id>/snapshots/manifests}, so that listing
 * them, evaluating a forget policy or finding files need not fetch and open every snapshot again (an
 * X25519 agreement each, and from S3 a round trip each): snapshots are immutable and named by their hash,
 * and a forgotten one is simply no longer asked for. Kept only with the full key, sealed with a key
 * derived from the master private key, like the name index (docs/design.md, 10.1):
 *
 * <pre>
 *   "BKSC" | u8 version=1 | nonce [12] | AEAD(key, nonce, aad, varint count | per snapshot: id [32]
 *       | lengthPrefixed(summary and detail in plaintext))      aad = "bakare snapshot cache v1 " + repository id
 * </pre>
 *
 * Replaced whole (a temporary file, then a rename). A file that does not open is deleted with a warning,
 * and the snapshots are read from storage.
 */
public final class SnapshotCache {
  private static final System.Logger LOG = System.getLogger(SnapshotCache.class.getName());
  private static final byte[] MAGIC = "BKSC".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final String PURPOSE = "bakare snapshot cache v1";
  private static final int MAX_MANIFEST = 128 << 20;

  private final Path file;
  private final String repositoryId;
  private final Aead aead;

  private SnapshotCache(Path file, String repositoryId, Aead aead) {
    this.file = file;
    this.repositoryId = repositoryId;
    this.aead = aead;
  }

  /**
   * The cache of a repository in {@code root}, sealed with a key derived from the master private key: it
   * holds the snapshots' paths, which a write key may not read.
   */
  public static SnapshotCache of(Path root, String repositoryId, AeadAlgorithm algorithm, byte[] masterPrivateKey) {
    byte[] key = Crypto.hkdf(masterPrivateKey, repositoryId.getBytes(StandardCharsets.US_ASCII),
        PURPOSE.getBytes(StandardCharsets.US_ASCII), AeadAlgorithm.KEY_LENGTH);
    Aead aead = algorithm.withKey(key);
    Crypto.wipe(key);
    return new SnapshotCache(fileFor(root, repositoryId), repositoryId, aead);
  }

  /** Where the cache of a repository lives under the cache directory {@code root}. */
  public static Path fileFor(Path root, String repositoryId) {
    return root.resolve(repositoryId).resolve("snapshots").resolve("manifests");
  }

  public Path file() {
    return file;
  }

  private byte[] associatedData() {
    return (PURPOSE + " " + repositoryId).getBytes(StandardCharsets.US_ASCII);
  }

  /** The cached snapshots by id; none when there is no file or it cannot be used (see the class comment). */
  public Map<ObjectId, SnapshotManifest> read() {
    byte[] stored;
    try {
      stored = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot read the snapshot cache " + file + " (" + e.getMessage()
          + "): snapshots are read from the repository; check the cache directory's permissions");
      return Map.of();
    }
    try {
      ByteReader header = new ByteReader(stored);
      if (!Arrays.equals(header.bytes(MAGIC.length), MAGIC) || header.u8() != VERSION) {
        throw new CorruptDataException("not a snapshot cache of this version");
      }
      byte[] nonce = header.bytes(AeadAlgorithm.NONCE_LENGTH);
      int at = header.position();
      byte[] plain = aead.open(nonce, associatedData(), stored, at, stored.length - at);
      ByteReader r = new ByteReader(plain);
      int count = r.count(ObjectId.LENGTH + 1, "cached snapshot");
      Map<ObjectId, SnapshotManifest> manifests = new HashMap<>();
      for (int i = 0; i < count; i++) {
        ObjectId id = ObjectId.read(r);
        manifests.put(id, SnapshotManifest.decodePlain(r.lengthPrefixed(MAX_MANIFEST, "cached snapshot")));
      }
      r.expectEnd("snapshot cache");
      return manifests;
    } catch (CorruptDataException e) {
      LOG.log(System.Logger.Level.WARNING, "the snapshot cache " + file + " cannot be used (" + e.getMessage()
          + "): it is deleted, and snapshots are read from the repository");
      CacheFiles.deleteUnusable(file);
      return Map.of();
    }
  }

  /** Replaces the cache with {@code manifests}, each read with its detail. */
  public void write(Map<ObjectId, SnapshotManifest> manifests) throws IOException {
    ByteWriter plain = new ByteWriter(64 + manifests.size() * 256).varint(manifests.size());
    for (Map.Entry<ObjectId, SnapshotManifest> e : manifests.entrySet()) {
      e.getKey().writeTo(plain);
      plain.lengthPrefixed(e.getValue().encodePlain());
    }
    byte[] nonce = Crypto.randomBytes(AeadAlgorithm.NONCE_LENGTH);
    byte[] sealed = new byte[MAGIC.length + 1 + nonce.length + plain.size() + AeadAlgorithm.TAG_LENGTH];
    System.arraycopy(MAGIC, 0, sealed, 0, MAGIC.length);
    sealed[MAGIC.length] = VERSION;
    System.arraycopy(nonce, 0, sealed, MAGIC.length + 1, nonce.length);
    aead.seal(nonce, associatedData(), plain.array(), 0, plain.size(), sealed, MAGIC.length + 1 + nonce.length);
    CacheFiles.replaceWith(file, channel -> CacheFiles.writeFully(channel, ByteBuffer.wrap(sealed)));
  }
}
