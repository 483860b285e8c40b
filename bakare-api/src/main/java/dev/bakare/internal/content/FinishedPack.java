package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;
import java.util.List;

/**
 * A pack ready for upload.
 *
 * @param id SHA-256 of the pack, which names the blob {@code data/<id[0..2]>/<id>}
 * @param bytes the pack in its first {@code length} bytes (the rest is spare room)
 * @param length the pack's length
 * @param ephemeralPublic the pack's ephemeral public key (also in its trailer), recorded in the index
 * @param entries its chunks in order
 * @param type the type of its chunks
 */
public record FinishedPack(ObjectId id, byte[] bytes, int length, byte[] ephemeralPublic, List<PackEntry> entries, ChunkType type) {
  /** The pack's bytes, exactly (a copy). */
  public byte[] contents() {
    return java.util.Arrays.copyOf(bytes, length);
  }
}
