package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackAndIndexTest {
  @org.junit.jupiter.api.io.TempDir java.nio.file.Path temp;

  private final KeyMaterial keys = KeyMaterial.generate();
  private final Sealing sealing = new Sealing(new Aes256Gcm(), keys);
  private final ChunkHasher hasher = new ChunkHasher(keys.chunkIdKey());

  @Test
  void packsAreSelfDescribingAndNamedBySha256() throws CorruptDataException, java.io.IOException {
    PackBuilder builder = new PackBuilder(sealing, ChunkType.DATA, 1024, 1024);
    byte[][] chunks = {Crypto.randomBytes(1000), Crypto.randomBytes(1), Crypto.randomBytes(70_000)};
    for (byte[] chunk : chunks) {
      builder.add(hasher.hash(chunk), Compression.NONE, chunk, 0, chunk.length, chunk.length);
    }
    FinishedPack pack = builder.finish();
    byte[] bytes = pack.contents();
    assertEquals(ObjectId.wrap(Crypto.sha256(bytes)), pack.id());

    PackFormat.Trailer trailer = PackFormat.parseTrailer(bytes, bytes.length - PackFormat.TRAILER_LENGTH, bytes.length);
    assertArrayEquals(pack.ephemeralPublic(), trailer.ephemeralPublic());
    int headerStart = bytes.length - PackFormat.TRAILER_LENGTH - trailer.sealedHeaderLength();
    List<PackEntry> entries = PackFormat.openHeader(sealing.aeadFor(trailer.ephemeralPublic(), PackBuilder.KEY_PURPOSE),
        bytes, headerStart, trailer.sealedHeaderLength(), headerStart);
    assertEquals(pack.entries(), entries);

    ContentReader reader = new ContentReader(new dev.bakare.store.testkit.MemoryBlobStore(), sealing, hasher,
        new Compressor(3), ChunkIndex.create(temp));
    for (int i = 0; i < chunks.length; i++) {
      PackEntry e = entries.get(i);
      ChunkLocation location = ChunkLocation.of(new PackRef(pack.id(), pack.ephemeralPublic()), e);
      assertArrayEquals(chunks[i], readQuietly(reader, e.id(), location, bytes));
    }
  }

  @Test
  void indexSegmentsRoundTrip() throws CorruptDataException {
    PackRef pack = new PackRef(ObjectId.wrap(Crypto.randomBytes(32)), Crypto.randomBytes(32));
    List<PackEntry> entries = List.of(
        new PackEntry(ObjectId.wrap(Crypto.randomBytes(32)), ChunkType.DATA, Compression.ZSTD, 0, 500, 4000),
        new PackEntry(ObjectId.wrap(Crypto.randomBytes(32)), ChunkType.TREE, Compression.NONE, 500, 116, 100));
    IndexSegment segment = new IndexSegment(List.of(new IndexSegment.IndexedPack(pack, entries)));
    IndexSegment decoded = IndexSegment.decode(segment.encode());
    assertEquals(entries, decoded.packs().get(0).entries());
    assertEquals(pack.id(), decoded.packs().get(0).pack().id());
    byte[] truncated = java.util.Arrays.copyOf(segment.encode(), segment.encode().length - 1);
    assertThrows(CorruptDataException.class, () -> IndexSegment.decode(truncated));
  }

  private static byte[] readQuietly(ContentReader reader, ObjectId id, ChunkLocation location, byte[] pack) {
    try {
      return reader.open(id, location, pack, (int) location.offset());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
