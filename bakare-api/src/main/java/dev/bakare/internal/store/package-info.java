/**
 * Wrappers around the {@link dev.bakare.store.spi.BlobStore} a provider opened, each adding one
 * cross-cutting behaviour: {@link dev.bakare.internal.store.RetryingBlobStore} retries transient failures;
 * and {@link dev.bakare.internal.store.BlobBytes}, a returned blob's bytes as an array.
 */
@NullMarked
package dev.bakare.internal.store;

import org.jspecify.annotations.NullMarked;
