package dev.bakare.internal.content;

import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte layout of a pack (see docs/design.md, "Packs"):
 *
 * <pre>
 *   sealed chunk 0 | sealed chunk 1 | ... | sealed header | trailer
 *   trailer = ephemeral public key [32] | sealed header length u32 | magic "BKP1"
 * </pre>
 *
 * The chunk at byte offset {@code o} is sealed with nonce {@code 0^4 || u64(o)} and associated data {@code u8 type || id};
 * the header with nonce {@code FF^4 || 0^8} and associated data {@code "bakare pack header"}.
 */
public final class PackFormat {
  public static final int TRAILER_LENGTH = 40;
  /** The largest plaintext chunk a decoder accepts, so a forged length cannot exhaust memory. */
  public static final int MAX_RAW_CHUNK = 256 << 20;
  /**
   * The largest chunk offset a decoder accepts: the chunk index stores offsets in 32 bits, and packs are
   * closed at the config's pack size (at most 1 GiB), far below it.
   */
  public static final long MAX_OFFSET = 0xFFFF_FFFFL;

  static final int HEADER_VERSION = 1;
  private static final byte[] MAGIC = "BKP1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEADER_AAD = "bakare pack header".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_HEADER = 64 << 20;
  /** Per entry in the header: type, compression, id, two varints of at most 5 bytes. */
  private static final int MIN_HEADER_ENTRY = 1 + 1 + 32 + 1 + 1;

  private PackFormat() {}

  /** The nonce of the chunk sealed at {@code offset}: offsets are unique within a pack, as is its key. */
  public static byte[] chunkNonce(long offset) {
    byte[] nonce = new byte[AeadAlgorithm.NONCE_LENGTH];
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (offset >>> (56 - 8 * i));
    }
    return nonce;
  }

  static byte[] headerNonce() {
    byte[] nonce = new byte[AeadAlgorithm.NONCE_LENGTH];
    Arrays.fill(nonce, 0, 4, (byte) 0xFF);
    return nonce;
  }

  public static byte[] chunkAssociatedData(ChunkType type, ObjectId id) {
    byte[] aad = new byte[1 + ObjectId.LENGTH];
    aad[0] = (byte) type.code();
    id.copyTo(aad, 1);
    return aad;
  }

  static byte[] encodeHeader(List<PackEntry> entries) {
    ByteWriter w = new ByteWriter(16 + entries.size() * 48).u8(HEADER_VERSION).varint(entries.size());
    for (PackEntry e : entries) {
      w.u8(e.type().code()).u8(e.compression().code());
      e.id().writeTo(w);
      w.varint(e.storedLength()).varint(e.rawLength());
    }
    return w.toByteArray();
  }

  static byte[] encodeTrailer(byte[] ephemeralPublic, int sealedHeaderLength) {
    return new ByteWriter(TRAILER_LENGTH).bytes(ephemeralPublic).u32(sealedHeaderLength).bytes(MAGIC).toByteArray();
  }

  static byte[] sealHeader(Aead aead, byte[] header) {
    return aead.seal(headerNonce(), HEADER_AAD, header);
  }

  /** The parsed trailer of a pack. */
  public record Trailer(byte[] ephemeralPublic, int sealedHeaderLength) {}

  /** Parses the last {@link #TRAILER_LENGTH} bytes of a pack of {@code packLength} bytes. */
  public static Trailer parseTrailer(byte[] tail, int offset, long packLength) throws CorruptDataException {
    if (packLength < TRAILER_LENGTH) {
      throw new CorruptDataException("pack of " + packLength + " bytes is shorter than its trailer");
    }
    ByteReader r = new ByteReader(tail, offset, TRAILER_LENGTH);
    byte[] ephemeral = r.bytes(32);
    long headerLength = r.u32();
    byte[] magic = r.bytes(4);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new CorruptDataException("pack trailer has no BKP1 magic: not a bakare pack, or a newer format");
    }
    if (headerLength < AeadAlgorithm.TAG_LENGTH || headerLength > MAX_HEADER || headerLength > packLength - TRAILER_LENGTH) {
      throw new CorruptDataException("pack header length " + headerLength + " does not fit a pack of " + packLength + " bytes");
    }
    return new Trailer(ephemeral, (int) headerLength);
  }

  /**
   * Opens and decodes a sealed header; {@code dataLength} is the pack length minus header and trailer,
   * which the entries must exactly fill.
   */
  public static List<PackEntry> openHeader(Aead aead, byte[] sealed, int offset, int length, long dataLength)
      throws CorruptDataException {
    return decodeHeader(aead.open(headerNonce(), HEADER_AAD, sealed, offset, length), dataLength);
  }

  /** Decodes an opened header's plaintext (separate from {@link #openHeader} so it can be fuzzed directly). */
  static List<PackEntry> decodeHeader(byte[] plain, long dataLength) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    int version = r.u8();
    if (version != HEADER_VERSION) {
      throw new CorruptDataException("pack header version " + version + " is not supported");
    }
    int count = r.count(MIN_HEADER_ENTRY, "pack entry");
    List<PackEntry> entries = new ArrayList<>(count);
    long position = 0;
    for (int i = 0; i < count; i++) {
      ChunkType type = ChunkType.fromCode(r.u8());
      Compression compression = Compression.fromCode(r.u8());
      ObjectId id = ObjectId.read(r);
      int stored = (int) r.varintAtMost(MAX_RAW_CHUNK + 1024L, "stored length");
      int raw = (int) r.varintAtMost(MAX_RAW_CHUNK, "raw length");
      if (stored < AeadAlgorithm.TAG_LENGTH) {
        throw new CorruptDataException("entry " + i + " is shorter than its tag");
      }
      if (position > MAX_OFFSET) {
        throw new CorruptDataException("entry " + i + " starts at offset " + position + ", beyond the limit " + MAX_OFFSET);
      }
      entries.add(new PackEntry(id, type, compression, position, stored, raw));
      position += stored;
    }
    r.expectEnd("pack header");
    if (position != dataLength) {
      throw new CorruptDataException("pack header describes " + position + " bytes of chunks, but the pack holds " + dataLength);
    }
    return entries;
  }
}
