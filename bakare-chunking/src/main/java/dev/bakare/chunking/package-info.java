/**
 * Splitting byte streams into chunks: the {@link dev.bakare.chunking.Chunker} a backup uses, and the
 * {@link dev.bakare.chunking.ChunkerFactory} SPI that creates it from a stable name recorded in the
 * repository config.
 */
@NullMarked
package dev.bakare.chunking;

import org.jspecify.annotations.NullMarked;
