package dev.bakare.internal.content;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.util.ArrayList;
import java.util.List;

/**
 * One index segment: the packs a writer uploaded and the chunks in each (see docs/design.md, "Index").
 * Plaintext layout, before sealing with the index key (purpose {@code "index v1"}):
 *
 * <pre>
 *   u8 version=1 | varint packCount | per pack: id[32] ephemeralPublic[32] varint entryCount
 *     per entry: u8 type | u8 compression | id[32] | varint offset | varint storedLength | varint rawLength
 * </pre>
 */
public record IndexSegment(List<IndexedPack> packs) {
  public static final String SEAL_PURPOSE = "index v1";
  private static final int VERSION = 1;

  /** A pack and its entries. */
  public record IndexedPack(PackRef pack, List<PackEntry> entries) {}

  public IndexSegment {
    packs = List.copyOf(packs);
  }

  public int chunkCount() {
    int n = 0;
    for (IndexedPack p : packs) {
      n += p.entries().size();
    }
    return n;
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(64 + chunkCount() * 48).u8(VERSION).varint(packs.size());
    for (IndexedPack p : packs) {
      p.pack().id().writeTo(w);
      w.bytes(p.pack().ephemeralPublic()).varint(p.entries().size());
      for (PackEntry e : p.entries()) {
        w.u8(e.type().code()).u8(e.compression().code());
        e.id().writeTo(w);
        w.varint(e.offset()).varint(e.storedLength()).varint(e.rawLength());
      }
    }
    return w.toByteArray();
  }

  public static IndexSegment decode(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    int version = r.u8();
    if (version != VERSION) {
      throw new CorruptDataException("index segment version " + version + " is not supported");
    }
    int packCount = r.count(65, "pack");
    List<IndexedPack> packs = new ArrayList<>(packCount);
    for (int p = 0; p < packCount; p++) {
      PackRef ref = new PackRef(ObjectId.read(r), r.bytes(32));
      int entryCount = r.count(37, "index entry");
      List<PackEntry> entries = new ArrayList<>(entryCount);
      for (int i = 0; i < entryCount; i++) {
        ChunkType type = ChunkType.fromCode(r.u8());
        Compression compression = Compression.fromCode(r.u8());
        ObjectId id = ObjectId.read(r);
        long offset = r.varintAtMost(PackFormat.MAX_OFFSET, "chunk offset");
        int stored = (int) r.varintAtMost(PackFormat.MAX_RAW_CHUNK + 1024L, "stored length");
        int raw = (int) r.varintAtMost(PackFormat.MAX_RAW_CHUNK, "raw length");
        entries.add(new PackEntry(id, type, compression, offset, stored, raw));
      }
      packs.add(new IndexedPack(ref, entries));
    }
    r.expectEnd("index segment");
    return new IndexSegment(packs);
  }
}
