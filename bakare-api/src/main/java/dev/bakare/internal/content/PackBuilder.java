package dev.bakare.internal.content;

import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.ObjectId;
import java.util.ArrayList;
import java.util.Arrays;
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
  private byte[] buffer;
  private int size;
  private final int expectedSize;

  /**
   * @param initialCapacity bytes to start with; the buffer grows as chunks come
   * @param expectedSize about the size the pack will have when finished (its target plus one chunk and the
   *     header), which growth does not exceed unless a chunk needs it
   */
  public PackBuilder(Sealing sealing, ChunkType type, int initialCapacity, int expectedSize) {
    this(sealing, type, new byte[Math.max(4096, initialCapacity)], expectedSize);
  }

  /**
   * A builder that fills {@code buffer} (whatever it holds is overwritten; a buffer that an earlier pack
   * grew spares this one the growing) and hands it on in {@link #finish}.
   */
  public PackBuilder(Sealing sealing, ChunkType type, byte[] buffer, int expectedSize) {
    this.key = sealing.newEphemeralKey(KEY_PURPOSE);
    this.type = type;
    this.buffer = buffer;
    this.expectedSize = expectedSize;
  }

  public ChunkType type() {
    return type;
  }

  /** Bytes of sealed chunks so far. */
  public int size() {
    return size;
  }

  public int count() {
    return entries.size();
  }

  /**
   * Seals {@code payload[offset, offset+length)} (the stored form of a chunk of {@code rawLength}
   * plaintext bytes) as the next entry.
   */
  public void add(ObjectId id, Compression compression, byte[] payload, int offset, int length, int rawLength) {
    int sealedLength = length + AeadAlgorithm.TAG_LENGTH;
    ensure(sealedLength);
    int written = key.aead().seal(
        PackFormat.chunkNonce(size), PackFormat.chunkAssociatedData(type, id), payload, offset, length, buffer, size);
    entries.add(new PackEntry(id, type, compression, size, written, rawLength));
    size += written;
  }

  /** Seals the header, appends the trailer and names the pack by the SHA-256 of its bytes. */
  public FinishedPack finish() {
    byte[] sealedHeader = PackFormat.sealHeader(key.aead(), PackFormat.encodeHeader(entries));
    byte[] trailer = PackFormat.encodeTrailer(key.publicKey(), sealedHeader.length);
    ensure(sealedHeader.length + trailer.length);
    System.arraycopy(sealedHeader, 0, buffer, size, sealedHeader.length);
    System.arraycopy(trailer, 0, buffer, size + sealedHeader.length, trailer.length);
    int length = size + sealedHeader.length + trailer.length;
    byte[] bytes = buffer;
    buffer = new byte[0];
    // The buffer is handed over as is, spare room included: copying 16 MiB per pack to trim it costs more.
    return new FinishedPack(ObjectId.wrap(Crypto.sha256(bytes, 0, length)), bytes, length, key.publicKey(),
        List.copyOf(entries), type);
  }

  /** Grows the buffer by half, and never past what is needed beyond the expected pack size. */
  private void ensure(int extra) {
    if (size + extra > buffer.length) {
      long grown = Math.max(buffer.length + (buffer.length >> 1), size + extra);
      long bound = Math.max(expectedSize, size + extra);
      buffer = Arrays.copyOf(buffer, (int) Math.min(grown, bound));
    }
  }
}
