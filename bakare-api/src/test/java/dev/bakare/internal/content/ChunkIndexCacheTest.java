package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk index kept in the cache directory between runs. */
class ChunkIndexCacheTest {
  @TempDir Path temp;

  private ChunkIndexCache cache(String repositoryId) {
    return new ChunkIndexCache(temp.resolve("cache"), repositoryId, temp.resolve("work"));
  }

  /** Packs of {@code chunksPerPack} random chunks each, with distinct types, compressions and lengths. */
  private static List<IndexSegment.IndexedPack> packs(int count, int chunksPerPack) {
    List<IndexSegment.IndexedPack> packs = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      List<PackEntry> entries = new ArrayList<>();
      for (int c = 0; c < chunksPerPack; c++) {
        entries.add(new PackEntry(ObjectId.wrap(Crypto.randomBytes(32)), c % 3 == 0 ? ChunkType.TREE : ChunkType.DATA,
            c % 2 == 0 ? Compression.ZSTD : Compression.NONE, 1000L * c, 100 + c, 200 + p + c));
      }
      packs.add(new IndexSegment.IndexedPack(new PackRef(ObjectId.wrap(Crypto.randomBytes(32)), Crypto.randomBytes(32)),
          entries));
    }
    return packs;
  }

  private ChunkIndex indexOf(List<IndexSegment.IndexedPack> packs) throws IOException {
    ChunkIndex index = ChunkIndex.create(temp.resolve("work"));
    index.addAll(new IndexSegment(packs));
    return index;
  }

  private static void assertHolds(ChunkIndex index, List<IndexSegment.IndexedPack> packs) {
    int chunks = 0;
    for (IndexSegment.IndexedPack pack : packs) {
      assertTrue(index.containsPack(pack.pack().id()));
      for (PackEntry e : pack.entries()) {
        ChunkLocation location = index.find(e.id()).orElseThrow();
        ChunkLocation expected = ChunkLocation.of(pack.pack(), e);
        // The record's equals compares the key arrays by identity: compare the parts.
        assertEquals(expected.pack().id(), location.pack().id());
        assertArrayEquals(expected.pack().ephemeralPublic(), location.pack().ephemeralPublic());
        assertEquals(List.of(expected.type(), expected.compression(), expected.offset(), expected.storedLength(),
            expected.rawLength()), List.of(location.type(), location.compression(), location.offset(),
            location.storedLength(), location.rawLength()));
        chunks++;
      }
    }
    assertEquals(chunks, index.chunkCount());
  }

  @Test
  void anIndexWrittenIsReadBackWithEveryLocationAndTheSegmentsItHolds() throws IOException {
    List<IndexSegment.IndexedPack> packs = packs(30, 100);
    Set<ObjectId> segments = Set.of(ObjectId.wrap(Crypto.randomBytes(32)), ObjectId.wrap(Crypto.randomBytes(32)));
    try (ChunkIndex index = indexOf(packs)) {
      assertTrue(cache("repo-a").write(index, segments, index.chunkCount()));
    }
    ChunkIndexCache.Cached cached = cache("repo-a").read().orElseThrow();
    try (ChunkIndex index = cached.index()) {
      assertEquals(segments, cached.segments());
      assertHolds(index, packs);
      assertFalse(index.contains(ObjectId.wrap(Crypto.randomBytes(32))));
    }
  }

  @Test
  void whatIsAddedAfterReadingStaysInTheProcessAndTheFileIsUnchanged() throws IOException {
    List<IndexSegment.IndexedPack> packs = packs(4, 50);
    try (ChunkIndex index = indexOf(packs)) {
      assertTrue(cache("repo-a").write(index, Set.of(), index.chunkCount()));
    }
    Path file = cache("repo-a").file();
    byte[] before = Files.readAllBytes(file);
    // Enough to grow the table twice: the grown table lives in the work directory, not in the cache file.
    List<IndexSegment.IndexedPack> more = packs(40, 100);
    try (ChunkIndex index = cache("repo-a").read().orElseThrow().index()) {
      index.addAll(new IndexSegment(more));
      List<IndexSegment.IndexedPack> all = new ArrayList<>(packs);
      all.addAll(more);
      assertHolds(index, all);
    }
    assertArrayEquals(before, Files.readAllBytes(file));
    try (ChunkIndex index = cache("repo-a").read().orElseThrow().index()) {
      assertHolds(index, packs);
    }
  }

  @Test
  void aDamagedFileIsDeletedAndNotUsed() throws IOException {
    try (ChunkIndex index = indexOf(packs(10, 100))) {
      assertTrue(cache("repo-a").write(index, Set.of(), index.chunkCount()));
    }
    Path file = cache("repo-a").file();
    long size = Files.size(file);
    // One flipped bit anywhere: in the header, the list of packs, the table, its last byte.
    for (long at : new long[] {5, 30, 45, 4096 + 48 * 7 + 3, size - 1}) {
      byte[] original = Files.readAllBytes(file);
      flipBit(file, at);
      assertEquals(Optional.empty(), cache("repo-a").read().map(ChunkIndexCache.Cached::segments), "flipped at " + at);
      assertFalse(Files.exists(file), "a damaged cache is deleted");
      Files.write(file, original);
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size - 48);
    }
    assertTrue(cache("repo-a").read().isEmpty(), "a cut file is not used");
    assertFalse(Files.exists(file));
  }

  @Test
  void aCacheOfAnotherRepositoryIsNotUsed() throws IOException {
    try (ChunkIndex index = indexOf(packs(2, 10))) {
      assertTrue(cache("repo-a").write(index, Set.of(), index.chunkCount()));
    }
    Path other = temp.resolve("cache").resolve("repo-b").resolve("index");
    Files.createDirectories(other);
    Files.copy(cache("repo-a").file(), other.resolve("chunks"));
    assertTrue(cache("repo-b").read().isEmpty());
    assertTrue(cache("repo-a").read().isPresent());
  }

  @Test
  void anIndexHoldingEntriesItsSegmentsDoNotListIsNotWritten() throws IOException {
    List<IndexSegment.IndexedPack> listed = packs(3, 20);
    try (ChunkIndex index = indexOf(listed)) {
      assertTrue(cache("repo-a").write(index, Set.of(), index.chunkCount()));
      byte[] before = Files.readAllBytes(cache("repo-a").file());
      // A pack indexed from its header, say: the segments list 60 chunks, the index holds 70.
      index.addAll(new IndexSegment(packs(1, 10)));
      assertFalse(cache("repo-a").write(index, Set.of(), 60));
      assertArrayEquals(before, Files.readAllBytes(cache("repo-a").file()), "the old file stays");
    }
    try (ChunkIndex index = cache("repo-a").read().orElseThrow().index()) {
      assertHolds(index, listed);
    }
  }

  @Test
  void noCacheIsNoIndex() {
    assertTrue(cache("repo-a").read().isEmpty());
  }

  private static void flipBit(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }
}
