package dev.bakare.internal.content;

/** Where a chunk is stored: a pack and the entry's place in it. */
public record ChunkLocation(
    PackRef pack, ChunkType type, Compression compression, long offset, int storedLength, int rawLength) {

  static ChunkLocation of(PackRef pack, PackEntry entry) {
    return new ChunkLocation(
        pack, entry.type(), entry.compression(), entry.offset(), entry.storedLength(), entry.rawLength());
  }
}
