package dev.bakare;

import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.ForwardingBlobStore;
import dev.bakare.store.spi.StorageException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that counts the whole blobs fetched under one prefix, to see what a command read from storage. */
final class CountingStore extends ForwardingBlobStore {
  private final String prefix;
  private final AtomicInteger gets = new AtomicInteger();

  CountingStore(BlobStore delegate, String prefix) {
    super(delegate);
    this.prefix = prefix;
  }

  @Override
  public ByteBuffer get(BlobName name) throws StorageException {
    if (name.value().startsWith(prefix)) {
      gets.incrementAndGet();
    }
    return super.get(name);
  }

  /** Blobs fetched under the prefix since the last call. */
  int takeCount() {
    return gets.getAndSet(0);
  }
}
