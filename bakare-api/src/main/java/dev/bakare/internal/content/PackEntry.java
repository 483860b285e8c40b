package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;

/**
 * One sealed chunk inside a pack.
 *
 * @param id the chunk id
 * @param type data or tree
 * @param compression how the plaintext was stored before sealing
 * @param offset where the sealed chunk starts in the pack
 * @param storedLength the sealed length (stored plaintext + 16-byte tag)
 * @param rawLength the chunk's plaintext length
 */
public record PackEntry(
    ObjectId id, ChunkType type, Compression compression, long offset, int storedLength, int rawLength) {}
