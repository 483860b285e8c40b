package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.backup.DirectExecutorService;
import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentWriterTest {
  @TempDir Path temp;

  private final KeyMaterial keys = KeyMaterial.generate();
  private final Sealing sealing = new Sealing(new Aes256Gcm(), keys);
  private final ChunkHasher hasher = new ChunkHasher(keys.chunkIdKey());
  private final MemoryBlobStore store = new MemoryBlobStore();

  /**
   * Packs are filled in the buffers of packs uploaded before them. Chunks shrink as they come, so later packs
   * are shorter than the buffers they reuse, which still hold older packs' bytes past the new pack's end.
   */
  @Test
  void packsFilledInReusedBuffersHoldExactlyTheirOwnBytes() throws IOException {
    Random random = new Random(7);
    Map<ObjectId, byte[]> chunks = new LinkedHashMap<>();
    try (Compressor compressor = new Compressor(3)) {
      ChunkIndex index = ChunkIndex.create(temp);
      ContentWriter writer = new ContentWriter(store, sealing, hasher, compressor, index, 64 << 10, 1, 2,
          new DirectExecutorService());
      for (int length = 40_000; length > 100; length -= 97) {
        byte[] chunk = new byte[length];
        random.nextBytes(chunk);
        if (length % 3 == 0) {
          java.util.Arrays.fill(chunk, length / 2, length, (byte) 'x');
        }
        chunks.put(writer.write(ChunkType.DATA, chunk, 0, chunk.length), chunk);
      }
      List<IndexSegment.IndexedPack> packs = writer.flush();
      assertTrue(packs.size() > 50, "packs: " + packs.size());

      List<BlobInfo> blobs = new ArrayList<>();
      store.list(Layout.DATA, blobs::add);
      assertEquals(packs.size(), blobs.size());
      for (IndexSegment.IndexedPack pack : packs) {
        ByteBuffer blob = store.get(Layout.pack(pack.pack().id()));
        byte[] bytes = new byte[blob.remaining()];
        blob.get(bytes);
        assertEquals(pack.pack().id(), ObjectId.wrap(Crypto.sha256(bytes)), "pack named by the SHA-256 of its bytes");
      }
      ContentReader reader = new ContentReader(store, sealing, hasher, compressor, index);
      for (Map.Entry<ObjectId, byte[]> chunk : chunks.entrySet()) {
        assertArrayEquals(chunk.getValue(), reader.read(chunk.getKey(), ChunkType.DATA));
      }
      index.close();
    }
  }
}
