package dev.bakare.store.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What a store knows about one blob.
 *
 * @param name the blob's name
 * @param size its length in bytes
 * @param lastModified when the store last wrote it, by the store's clock
 */
public record BlobInfo(BlobName name, long size, Instant lastModified) {
  public BlobInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(lastModified, "lastModified");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for blob " + name);
    }
  }
}
