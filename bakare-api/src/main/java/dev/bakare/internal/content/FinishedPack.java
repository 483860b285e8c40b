package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;
import java.util.List;

/**
 * A pack ready for upload.
 *
 * @param id SHA-256 of {@code bytes}, which names the blob {@code data/<id[0..2]>/<id>}
 * @param bytes the whole pack
 * @param ephemeralPublic the pack's ephemeral public key (also in its trailer), recorded in the index
 * @param entries its chunks in order
 * @param type the type of its chunks
 */
public record FinishedPack(ObjectId id, byte[] bytes, byte[] ephemeralPublic, List<PackEntry> entries, ChunkType type) {}
