package dev.bakare.internal.content;

import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates sealed chunks of one pack. Every pack has its own ephemeral key, agreed with the master
 * public key, so a writer can seal but nobody without the master private key can open. Not thread-safe.
 */
public final class PackBuilder {
  public static final String KEY_PURPOSE = "pack v1";

  private final Sealing.EphemeralKey key;
  private final ChunkType type;
  private final List<PackEntry> entries = new ArrayList<>();
  private final PackBody body;

  /**
   * A builder that fills an array in memory.
   *
   * @param initialCapacity bytes to start with; the array grows as chunks come
   * @param expectedSize about the size the pack will have when finished (its target plus one chunk and the
   *     header), which growth does not exceed unless a chunk needs it
   */
  public PackBuilder(Sealing sealing, ChunkType type, int initialCapacity, int expectedSize) {
    this(sealing, type, new PackBody.InMemory(new byte[Math.max(4096, initialCapacity)], expectedSize));
  }

  /** A builder that fills {@code body} (empty) and hands it on in {@link #finish}. */
  PackBuilder(Sealing sealing, ChunkType type, PackBody body) {
    this.key = sealing.newEphemeralKey(KEY_PURPOSE);
    this.type = type;
    this.body = body;
  }

  PackBody body() {
    return body;
  }

  public ChunkType type() {
    return type;
  }

  /** Bytes of sealed chunks so far. */
  public int size() {
    return body.size();
  }

  public int count() {
    return entries.size();
  }

  /**
   * Seals {@code payload[offset, offset+length)} (the stored form of a chunk of {@code rawLength}
   * plaintext bytes) as the next entry.
   *
   * @throws IOException if the pack is staged in a file and writing it failed
   */
  public void add(ObjectId id, Compression compression, byte[] payload, int offset, int length, int rawLength)
      throws IOException {
    int start = body.size();
    int written =
        key.aead().seal(PackFormat.chunkNonce(start), PackFormat.chunkAssociatedData(type, id), payload, offset,
            length, body);
    entries.add(new PackEntry(id, type, compression, start, written, rawLength));
  }

  /** Seals the header, appends the trailer and names the pack by the SHA-256 of its bytes. */
  public FinishedPack finish() throws IOException {
    byte[] sealedHeader = PackFormat.sealHeader(key.aead(), PackFormat.encodeHeader(entries));
    body.append(sealedHeader);
    body.append(PackFormat.encodeTrailer(key.publicKey(), sealedHeader.length));
    int length = body.size();
    return new FinishedPack(ObjectId.wrap(body.finish()), body, length, key.publicKey(), List.copyOf(entries), type);
  }
}
