package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.util.List;

/**
 * A pack ready for upload.
 *
 * @param id SHA-256 of the pack, which names the blob {@code data/<id[0..2]>/<id>}
 * @param body the pack's bytes, in memory or in a staging file
 * @param length the pack's length
 * @param ephemeralPublic the pack's ephemeral public key (also in its trailer), recorded in the index
 * @param entries its chunks in order
 * @param type the type of its chunks
 */
public record FinishedPack(
    ObjectId id, PackBody body, int length, byte[] ephemeralPublic, List<PackEntry> entries, ChunkType type) {
  /** The pack's bytes, exactly (a copy). */
  public byte[] contents() throws IOException {
    return body.contents();
  }
}
