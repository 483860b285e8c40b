package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;

/**
 * A pack as the index knows it: its name and ephemeral public key (so a reader derives the pack key
 * without fetching the trailer).
 */
public record PackRef(ObjectId id, byte[] ephemeralPublic) {}
