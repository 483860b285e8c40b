package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bakare.internal.backup.DirectExecutorService;
import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
    List<byte[]> chunks = new ArrayList<>();
    Random random = new Random(7);
    for (int length = 40_000; length > 100; length -= 97) {
      chunks.add(chunk(random, length));
    }
    assertStoredExactly(chunks, 64 << 10, PackStaging.inMemory());
  }

  /**
   * Staged in files, packs are written through a buffer (small chunks) or straight from the sealing array
   * (chunks larger than the buffer), in files reused once their pack is uploaded: the stored packs hold
   * exactly their chunks all the same, and the files have no names and are gone once the writer is closed.
   */
  @Test
  void packsStagedInFilesHoldExactlyTheirOwnBytesAndLeaveNoFileBehind() throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    Random random = new Random(11);
    for (int i = 0; i < 400; i++) {
      int length = i % 37 == 0 ? PackBody.InFile.BUFFER_BYTES + random.nextInt(400_000) : 1 + random.nextInt(40_000);
      chunks.add(chunk(random, length));
    }
    Path staging = temp.resolve("staging");
    ContentWriter writer = assertStoredExactly(chunks, 256 << 10, PackStaging.inFiles(staging));
    try (var names = Files.list(staging)) {
      assertEquals(List.of(), names.toList(), "staging files keep no name");
    }
    assertTrue(openFilesIn(staging) > 0, "packs were not staged in files in " + staging);
    writer.close();
    assertEquals(0, openFilesIn(staging), "staging files still open after close");
  }

  /**
   * Staged by a file store in the repository directory, each pack is published under its name without a
   * copy: the stored packs hold exactly their chunks, the repository keeps no temporary file, and a pack
   * begun but never finished (the writer closed without a flush) leaves none either.
   */
  @Test
  void packsStagedByAFileStoreArePublishedExactlyAndLeaveNoFileBehind() throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    Random random = new Random(13);
    for (int i = 0; i < 300; i++) {
      int length = i % 29 == 0 ? PackBody.InFile.BUFFER_BYTES + random.nextInt(400_000) : 1 + random.nextInt(40_000);
      chunks.add(chunk(random, length));
    }
    Path repository = temp.resolve("repository");
    try (BlobStore fileStore = StorageProviders.open(
        StorageLocation.parse(repository.toString(), Map.of()), OpenMode.CREATE)) {
      PackStaging staging = PackStaging.choose(fileStore, temp.resolve("unused"));
      assertStoredExactly(fileStore, chunks, 256 << 10, staging).close();
      assertEquals(List.of(), temporaryFilesIn(repository), "publishing left temporary files");

      try (Compressor compressor = new Compressor(3); ChunkIndex index = ChunkIndex.create(temp.resolve("index"))) {
        ContentWriter writer = new ContentWriter(fileStore, sealing, hasher, compressor, index, 4 << 20, 1, 2,
            new DirectExecutorService(), staging);
        // Larger than the body's buffer, so that it reaches the file.
        int large = PackBody.InFile.BUFFER_BYTES + 5001; // random throughout: length % 3 != 0
        writer.write(ChunkType.DATA, chunk(random, large), 0, large);
        List<Path> staged = temporaryFilesIn(repository);
        assertEquals(1, staged.size(), "a pack being filled is staged in the repository: " + staged);
        Object stagedFile = Files.readAttributes(staged.get(0), BasicFileAttributes.class).fileKey();
        assumeTrue(stagedFile != null, "the file system tells no file identities");
        IndexSegment.IndexedPack pack = writer.flush().get(0);
        Path packFile = repository.resolve(Layout.pack(pack.pack().id()).value());
        assertEquals(stagedFile, Files.readAttributes(packFile, BasicFileAttributes.class).fileKey(),
            "the pack was copied instead of its staged file named");

        writer.write(ChunkType.DATA, chunk(random, large + 1), 0, large + 1);
        assertEquals(1, temporaryFilesIn(repository).size());
        writer.close();
        assertEquals(List.of(), temporaryFilesIn(repository), "closing left the unfinished pack's file");
        assertEquals(0, openFilesIn(repository), "staged files still open after close");
      }
      assertTrue(Files.notExists(temp.resolve("unused")), "packs were staged outside the repository");
    }
  }

  /** Files whose names start with '~' (temporary and staged files of the file store) below {@code directory}. */
  private static List<Path> temporaryFilesIn(Path directory) throws IOException {
    try (var files = Files.walk(directory)) {
      return files.filter(f -> f.getFileName().toString().startsWith("~")).toList();
    }
  }

  private static byte[] chunk(Random random, int length) {
    byte[] chunk = new byte[length];
    random.nextBytes(chunk);
    if (length % 3 == 0) {
      java.util.Arrays.fill(chunk, length / 2, length, (byte) 'x');
    }
    return chunk;
  }

  /** Stores the chunks, checks every pack's name and every chunk read back, and returns the (open) writer. */
  private ContentWriter assertStoredExactly(List<byte[]> chunks, int packSize, PackStaging staging) throws IOException {
    return assertStoredExactly(store, chunks, packSize, staging);
  }

  private ContentWriter assertStoredExactly(BlobStore store, List<byte[]> chunks, int packSize, PackStaging staging)
      throws IOException {
    Map<ObjectId, byte[]> stored = new LinkedHashMap<>();
    try (Compressor compressor = new Compressor(3); ChunkIndex index = ChunkIndex.create(temp)) {
      ContentWriter writer = new ContentWriter(store, sealing, hasher, compressor, index, packSize, 1, 2,
          new DirectExecutorService(), staging);
      for (byte[] chunk : chunks) {
        stored.put(writer.write(ChunkType.DATA, chunk, 0, chunk.length), chunk);
      }
      List<IndexSegment.IndexedPack> packs = writer.flush();
      assertTrue(packs.size() > 20, "packs: " + packs.size());

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
      for (Map.Entry<ObjectId, byte[]> chunk : stored.entrySet()) {
        assertArrayEquals(chunk.getValue(), reader.read(chunk.getKey(), ChunkType.DATA));
      }
      return writer;
    }
  }

  /** How many of this process's open files lie in {@code directory} (named or not any more). */
  private static long openFilesIn(Path directory) throws IOException {
    Path descriptors = Path.of("/proc/self/fd");
    assumeTrue(Files.isDirectory(descriptors), "needs /proc to see open files");
    String prefix = directory.toAbsolutePath() + "/";
    long count = 0;
    try (var links = Files.list(descriptors)) {
      for (Path link : links.toList()) {
        try {
          if (Files.readSymbolicLink(link).toString().startsWith(prefix)) {
            count++;
          }
        } catch (java.nio.file.NoSuchFileException e) {
          // The descriptor that listed the directory closed meanwhile.
        }
      }
    }
    return count;
  }
}
