/**
 * A {@link dev.bakare.store.spi.BlobStore} in a local directory: blob {@code data/ab/abcd} is the file
 * {@code <root>/data/ab/abcd}. See {@link dev.bakare.store.fs.FileStorageProvider} for the guarantees and
 * how they are kept.
 */
@NullMarked
package dev.bakare.store.fs;

import org.jspecify.annotations.NullMarked;
