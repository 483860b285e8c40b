package dev.bakare;

import dev.bakare.chunking.ChunkerParameters;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What a repository is and which key opened it.
 *
 * @param id the repository id (32 hex digits)
 * @param location where it lives
 * @param formatVersion its format version
 * @param created when it was initialized
 * @param chunker the chunker name
 * @param chunkerParameters chunk size bounds
 * @param cipher the AEAD cipher name
 * @param packSize target pack size in bytes
 * @param keyFile the key file in use
 * @param fullKey whether that key is the full key (false: a write key)
 * @param configText the stored config, as text
 */
public record RepositoryInfo(
    String id,
    String location,
    int formatVersion,
    Instant created,
    String chunker,
    ChunkerParameters chunkerParameters,
    String cipher,
    int packSize,
    Path keyFile,
    boolean fullKey,
    String configText) {}
