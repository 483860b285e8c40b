package dev.bakare.store.testkit;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProvider;
import java.net.URI;
import java.time.Clock;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Opens in-memory stores by name: {@code mem:NAME}. Every open of one name in one JVM sees the same
 * blobs, so separate handles (one per simulated host, say) share a repository; each handle closes on
 * its own. {@link OpenMode#CREATE} makes the named store if it is new; {@link OpenMode#EXISTING} fails
 * for a name never created (or {@link #drop dropped}). The store takes no options.
 */
public final class MemoryStorageProvider implements StorageProvider {
  /** The URI scheme: {@code mem:NAME}. */
  public static final String SCHEME = "mem";

  private static final ConcurrentHashMap<String, ConcurrentSkipListMap<String, MemoryBlobStore.Blob>> STORES =
      new ConcurrentHashMap<>();

  /** Cheap: the stores live in a JVM-wide table, not in the provider. */
  public MemoryStorageProvider() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public BlobStore open(StorageLocation location, OpenMode mode) throws StorageException {
    String name = storeName(location);
    if (!location.options().isEmpty()) {
      throw new StorageException(
          "unknown option "
              + new TreeSet<>(location.options().keySet())
              + " for "
              + location
              + ": memory stores take no options; remove it");
    }
    ConcurrentSkipListMap<String, MemoryBlobStore.Blob> blobs =
        mode == OpenMode.CREATE
            ? STORES.computeIfAbsent(name, unused -> new ConcurrentSkipListMap<>())
            : STORES.get(name);
    if (blobs == null) {
      throw new StorageException(
          "no memory store named '"
              + name
              + "' in this JVM (memory stores exist only after an open with OpenMode.CREATE and until"
              + " dropped): check the name, or create the store first");
    }
    return new MemoryBlobStore(blobs, Clock.systemUTC(), SCHEME + ":" + name);
  }

  /**
   * Forgets the named store: later opens with {@link OpenMode#EXISTING} fail and {@link OpenMode#CREATE}
   * starts empty. Handles already open keep the old blobs.
   *
   * @return whether a store of that name existed
   */
  public static boolean drop(String name) {
    return STORES.remove(name) != null;
  }

  private static String storeName(StorageLocation location) throws StorageException {
    URI uri = location.uri();
    String name = uri.getSchemeSpecificPart();
    if (!location.scheme().equals(SCHEME)
        || !uri.isOpaque()
        || uri.getFragment() != null
        || name == null
        || name.isEmpty()) {
      throw new StorageException(
          "malformed memory store location '" + uri + "': write it as mem:NAME, such as mem:test-repo");
    }
    return name;
  }
}
