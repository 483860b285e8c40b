/**
 * The storage provider interface: a {@link dev.bakare.store.spi.StorageProvider}, found through
 * {@link java.util.ServiceLoader} by URI scheme, opens a {@link dev.bakare.store.spi.BlobStore} of
 * immutable named blobs. Errors are {@link dev.bakare.store.spi.StorageException}s.
 */
@NullMarked
package dev.bakare.store.spi;

import org.jspecify.annotations.NullMarked;
