package dev.bakare.internal.content;

import static dev.bakare.internal.FuzzSupport.FULL;
import static dev.bakare.internal.FuzzSupport.FULL_KEY;
import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.IntegrityException;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pack bytes come from storage: the trailer and header are parsed before anything authenticates the
 * pack's name, so they must reject any bytes cleanly. Inputs:
 *
 * <ul>
 *   <li>{@code header}: {@code u64 data length | header plaintext} (the decoder behind the AEAD);
 *   <li>{@code pack}: a whole pack (trailer, sealed header, then every chunk the header lists is opened);
 *   <li>{@code zstdFrame}: {@code u32 raw length | frame}, what a chunk's sealed payload decompresses from.
 * </ul>
 */
class PackFormatFuzzTest {
  static final ChunkHasher HASHER = new ChunkHasher(FULL_KEY.chunkIdKey());
  static final Compressor COMPRESSOR = new Compressor(3);
  private static final ContentReader READER = reader();

  private static ContentReader reader() {
    try {
      Path dir = Files.createTempDirectory("bakare-fuzz-index");
      dir.toFile().deleteOnExit();
      return new ContentReader(new MemoryBlobStore(), FULL, HASHER, COMPRESSOR, ChunkIndex.create(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void header(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> decodeHeaderInput(input));
  }

  private static List<PackEntry> decodeHeaderInput(byte[] input) throws CorruptDataException {
    if (input.length < 8) {
      throw new CorruptDataException("shorter than the data length prefix");
    }
    long dataLength = 0;
    for (int i = 0; i < 8; i++) {
      dataLength = (dataLength << 8) | (input[i] & 0xFF);
    }
    return PackFormat.decodeHeader(Arrays.copyOfRange(input, 8, input.length), dataLength);
  }

  @FuzzTest
  void pack(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> openPack(input));
  }

  /** Opens a whole pack as check does: trailer, header, every chunk. */
  static List<byte[]> openPack(byte[] pack) throws CorruptDataException, IOException {
    PackFormat.Trailer trailer = PackFormat.parseTrailer(pack, pack.length - PackFormat.TRAILER_LENGTH, pack.length);
    int headerStart = pack.length - PackFormat.TRAILER_LENGTH - trailer.sealedHeaderLength();
    Aead aead = FULL.aeadFor(trailer.ephemeralPublic(), PackBuilder.KEY_PURPOSE);
    List<PackEntry> entries = PackFormat.openHeader(aead, pack, headerStart, trailer.sealedHeaderLength(), headerStart);
    PackRef ref = new PackRef(ObjectId.wrap(new byte[32]), trailer.ephemeralPublic());
    List<byte[]> chunks = new ArrayList<>();
    for (PackEntry e : entries) {
      try {
        chunks.add(READER.open(e.id(), ChunkLocation.of(ref, e), pack, (int) e.offset()));
      } catch (IntegrityException rejected) {
        // What restore and check report for a damaged chunk, naming its pack: a clean rejection.
        throw new CorruptDataException(rejected.getMessage(), rejected);
      }
    }
    return chunks;
  }

  @FuzzTest
  void zstdFrame(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> decompressInput(input));
  }

  private static byte[] decompressInput(byte[] input) throws CorruptDataException {
    if (input.length < 4) {
      throw new CorruptDataException("shorter than the raw length prefix");
    }
    // Within what the fuzzer's heap allows per input; the format's own bound (256 MiB) is checked by the
    // header and index decoders before a chunk is read.
    int raw = ((input[0] & 0xFF) << 24 | (input[1] & 0xFF) << 16 | (input[2] & 0xFF) << 8 | (input[3] & 0xFF)) & 0xFFFFF;
    return COMPRESSOR.decompress(input, 4, input.length - 4, raw);
  }

  static List<byte[]> chunkContents() {
    Random random = new Random(5);
    byte[] noise = new byte[3000];
    random.nextBytes(noise);
    byte[] text = "the quick brown fox jumps over the lazy dog, again and again; ".repeat(40).getBytes();
    return List.of(new byte[] {42}, noise, text);
  }

  static byte[] validPack() {
    try {
      return buildValidPack();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("a pack in memory cannot fail to build", e);
    }
  }

  private static byte[] buildValidPack() throws java.io.IOException {
    PackBuilder builder = new PackBuilder(FULL, ChunkType.DATA, 1024, 1024);
    for (byte[] chunk : chunkContents()) {
      byte[] compressed = new byte[Compressor.maxCompressedLength(chunk.length)];
      int n = COMPRESSOR.compress(chunk, 0, chunk.length, compressed, 0);
      if (n < chunk.length) {
        builder.add(HASHER.hash(chunk), Compression.ZSTD, compressed, 0, n, chunk.length);
      } else {
        builder.add(HASHER.hash(chunk), Compression.NONE, chunk, 0, chunk.length, chunk.length);
      }
    }
    return builder.finish().contents();
  }

  private static byte[] headerInput(List<PackEntry> entries, long dataLength) {
    return new ByteWriter().u64(dataLength).bytes(PackFormat.encodeHeader(entries)).toByteArray();
  }

  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    PackEntry a = new PackEntry(ObjectId.wrap(new byte[32]), ChunkType.DATA, Compression.ZSTD, 0, 40, 100);
    PackEntry b = new PackEntry(ObjectId.wrap(FuzzSupport.filled(32, 0x7f)), ChunkType.TREE, Compression.NONE, 40, 300, 284);
    for (byte[] seed : FuzzSupport.seeds(getClass(), "header", () -> List.of(headerInput(List.of(), 0), headerInput(List.of(a, b), 340)))) {
      decodeHeaderInput(seed);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "pack", () -> List.of(validPack()))) {
      List<byte[]> chunks = openPack(seed);
      assertEquals(chunkContents().size(), chunks.size());
      for (int i = 0; i < chunks.size(); i++) {
        assertArrayEquals(chunkContents().get(i), chunks.get(i));
      }
    }
    List<byte[]> frames = new ArrayList<>();
    for (byte[] chunk : chunkContents()) {
      byte[] compressed = new byte[Compressor.maxCompressedLength(chunk.length)];
      int n = COMPRESSOR.compress(chunk, 0, chunk.length, compressed, 0);
      frames.add(new ByteWriter().u32(chunk.length).bytes(compressed, 0, n).toByteArray());
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "zstdFrame", () -> frames)) {
      decompressInput(seed);
    }
  }

}
