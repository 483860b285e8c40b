package dev.bakare.internal.content;

import static dev.bakare.internal.FuzzSupport.FULL;
import static dev.bakare.internal.FuzzSupport.WRITE;
import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Index segments: the plaintext decoder, and the sealed blob as loaded from {@code index/} (which any key
 * opens). A decoded segment is also added to a chunk index, as loading does, since its values end up in
 * the index's fixed-width slots.
 */
class IndexSegmentFuzzTest {
  private static final Path WORK = workDirectory();

  private static Path workDirectory() {
    try {
      Path dir = Files.createTempDirectory("bakare-fuzz-index");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void plain(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> load(IndexSegment.decode(input)));
  }

  @FuzzTest
  void sealed(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> load(IndexSegment.decode(WRITE.openWithIndexKey(IndexSegment.SEAL_PURPOSE, input))));
  }

  private static int load(IndexSegment segment) throws IOException {
    try (ChunkIndex index = ChunkIndex.create(WORK)) {
      index.addAll(segment);
      return index.chunkCount();
    }
  }

  static IndexSegment sample(int packs, int entriesEach) {
    List<IndexSegment.IndexedPack> list = new ArrayList<>();
    long offset = 0;
    for (int p = 0; p < packs; p++) {
      List<PackEntry> entries = new ArrayList<>();
      for (int i = 0; i < entriesEach; i++) {
        byte[] id = new byte[32];
        id[0] = (byte) p;
        id[1] = (byte) i;
        id[31] = 1;
        int stored = 16 + 100 * i;
        entries.add(new PackEntry(ObjectId.wrap(id), i % 3 == 0 ? ChunkType.TREE : ChunkType.DATA,
            i % 2 == 0 ? Compression.ZSTD : Compression.NONE, offset, stored, 7 * i));
        offset += stored;
      }
      byte[] packId = new byte[32];
      packId[5] = (byte) (p + 1);
      byte[] ephemeral = new byte[32];
      ephemeral[9] = (byte) (p + 9);
      list.add(new IndexSegment.IndexedPack(new PackRef(ObjectId.wrap(packId), ephemeral), entries));
    }
    return new IndexSegment(list);
  }

  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    List<IndexSegment> samples = List.of(sample(0, 0), sample(1, 1), sample(3, 4));
    List<byte[]> plain = samples.stream().map(IndexSegment::encode).toList();
    List<byte[]> seeds = FuzzSupport.seeds(getClass(), "plain", () -> plain);
    for (byte[] seed : seeds) {
      load(IndexSegment.decode(seed));
    }
    List<byte[]> sealed = plain.stream().map(p -> FULL.sealWithIndexKey(IndexSegment.SEAL_PURPOSE, p)).toList();
    for (byte[] seed : FuzzSupport.seeds(getClass(), "sealed", () -> sealed)) {
      IndexSegment segment = IndexSegment.decode(WRITE.openWithIndexKey(IndexSegment.SEAL_PURPOSE, seed));
      assertEquals(segment.chunkCount(), load(segment));
    }
  }

  @Test
  void anOffsetBeyondWhatTheIndexStoresIsRejectedAsCorrupt() {
    PackEntry far = new PackEntry(ObjectId.wrap(new byte[32]), ChunkType.DATA, Compression.NONE, 1L << 33, 16, 0);
    byte[] encoded = new IndexSegment(List.of(new IndexSegment.IndexedPack(
        new PackRef(ObjectId.wrap(new byte[32]), new byte[32]), List.of(far)))).encode();
    org.junit.jupiter.api.Assertions.assertThrows(CorruptDataException.class, () -> IndexSegment.decode(encoded));
  }
}
