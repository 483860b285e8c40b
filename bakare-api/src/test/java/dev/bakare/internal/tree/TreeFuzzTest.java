package dev.bakare.internal.tree;

import static dev.bakare.internal.FuzzSupport.FULL;
import static dev.bakare.internal.FuzzSupport.FULL_KEY;
import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.IntegrityException;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.content.ChunkHasher;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.Compression;
import dev.bakare.internal.content.Compressor;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.content.PackBuilder;
import dev.bakare.internal.content.PackFormat;
import dev.bakare.internal.content.PackRef;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Trees: the plaintext decoder, and the sealed path a reader takes for a tree chunk (authenticate with the
 * pack key, decompress, check the id, decode). Sealed input: {@code u8 compression | u8 offset in the pack (its
 * nonce) | u32 raw length | chunk id [32] | sealed chunk}, under a fixed ephemeral key.
 */
class TreeFuzzTest {
  private static final ChunkHasher HASHER = new ChunkHasher(FULL_KEY.chunkIdKey());
  private static final byte[] EPHEMERAL = Crypto.x25519PublicKey(FuzzSupport.filled(32, 0x55));
  private static final ContentReader READER = reader();

  private static ContentReader reader() {
    try {
      Path dir = Files.createTempDirectory("bakare-fuzz-index");
      dir.toFile().deleteOnExit();
      return new ContentReader(new MemoryBlobStore(), FULL, HASHER, new Compressor(3), ChunkIndex.create(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void plain(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> Tree.decode(input));
  }

  @FuzzTest
  void sealedChunk(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> openSealed(input));
  }

  private static Tree openSealed(byte[] input) throws CorruptDataException, IOException {
    if (input.length < 1 + 1 + 4 + 32) {
      throw new CorruptDataException("shorter than the fuzz input's prefix");
    }
    Compression compression = Compression.fromCode(input[0] & 0xFF);
    int offset = input[1] & 0xFF;
    // Kept small so every input runs fast; the format's bound on raw lengths is the decoders' concern.
    int raw = ((input[2] & 0xFF) << 24 | (input[3] & 0xFF) << 16 | (input[4] & 0xFF) << 8 | (input[5] & 0xFF)) & 0xFFFFF;
    ObjectId id = ObjectId.copyOf(input, 6);
    byte[] sealed = Arrays.copyOfRange(input, 38, input.length);
    ChunkLocation location = new ChunkLocation(new PackRef(ObjectId.wrap(new byte[32]), EPHEMERAL), ChunkType.TREE,
        compression, offset, sealed.length, raw);
    try {
      return Tree.decode(READER.open(id, location, sealed, 0));
    } catch (IntegrityException rejected) {
      throw new CorruptDataException(rejected.getMessage(), rejected);
    }
  }

  static List<Tree> samples() {
    Instant t = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
    ObjectId chunk = ObjectId.wrap(FuzzSupport.filled(32, 0x01));
    Node file = new Node("file.txt", NodeType.FILE, 0644, 1000, 1000, "me", "staff", t, t, 77, 2049, 1, 5,
        List.of(chunk, chunk), null, "", "");
    Node dir = new Node("dir", NodeType.DIRECTORY, 0755, 0, 0, "", "", t, t, 78, 2049, 2, 0, List.of(),
        ObjectId.wrap(FuzzSupport.filled(32, 0x02)), "", "");
    Node link = new Node("link", NodeType.SYMLINK, 0777, 0, 0, "", "", Instant.EPOCH, Instant.EPOCH, 0, 0, 1, 0,
        List.of(), null, "../file.txt", "");
    Node broken = new Node("z\u00e9", NodeType.FILE, 0600, 1, 1, "", "", t, t, 1, 1, 1, 0, List.of(), null, "",
        "permission denied");
    Node fifo = new Node("fifo", NodeType.FIFO, 0600, 0, 0, "", "", t, t, 2, 2, 1, 0, List.of(), null, "", "");
    return List.of(new Tree(List.of()), new Tree(List.of(file)), new Tree(List.of(file, dir, link, broken, fifo)));
  }

  /** A tree chunk sealed as a pack would hold it at offset 0. */
  private static byte[] sealedInput(Tree tree, boolean compress, long offset) {
    byte[] plain = tree.encode();
    ObjectId id = HASHER.hash(plain);
    byte[] stored = plain;
    if (compress) {
      byte[] buffer = new byte[Compressor.maxCompressedLength(plain.length)];
      stored = Arrays.copyOf(buffer, new Compressor(3).compress(plain, 0, plain.length, buffer, 0));
    }
    Aead aead;
    try {
      aead = FULL.aeadFor(EPHEMERAL, PackBuilder.KEY_PURPOSE);
    } catch (CorruptDataException e) {
      throw new IllegalStateException(e);
    }
    byte[] sealed = aead.seal(PackFormat.chunkNonce(offset), PackFormat.chunkAssociatedData(ChunkType.TREE, id), stored);
    return new ByteWriter().u8(compress ? 1 : 0).u8((int) offset).u32(plain.length).bytes(id.toBytes()).bytes(sealed).toByteArray();
  }

  /** Each seed under its own nonce (the chunk's offset): one key must never seal twice with one nonce. */
  private static List<byte[]> sealedSeeds() {
    List<byte[]> sealed = new ArrayList<>();
    long offset = 0;
    for (Tree tree : samples()) {
      sealed.add(sealedInput(tree, false, offset++));
      sealed.add(sealedInput(tree, true, offset++));
    }
    return sealed;
  }

  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    List<byte[]> plain = samples().stream().map(Tree::encode).toList();
    List<byte[]> seeds = FuzzSupport.seeds(getClass(), "plain", () -> plain);
    assertEquals(plain.size(), seeds.size());
    for (byte[] seed : seeds) {
      Tree.decode(seed);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "sealedChunk", TreeFuzzTest::sealedSeeds)) {
      openSealed(seed);
    }
  }

}
