/**
 * Test support for storage providers. {@link dev.bakare.store.testkit.BlobStoreContractTest} is the
 * conformance suite a provider subclasses; {@link dev.bakare.store.testkit.MemoryBlobStore} is a complete
 * in-memory store (also reachable as {@code mem:NAME} through {@link
 * dev.bakare.store.testkit.MemoryStorageProvider}); {@link dev.bakare.store.testkit.FaultInjectingBlobStore}
 * wraps any store to inject seeded, replayable failures and to pause callers between operations.
 */
@NullMarked
package dev.bakare.store.testkit;

import org.jspecify.annotations.NullMarked;
