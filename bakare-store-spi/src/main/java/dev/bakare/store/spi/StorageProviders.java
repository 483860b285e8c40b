package dev.bakare.store.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/** Finds {@link StorageProvider}s by scheme through {@link ServiceLoader}. */
public final class StorageProviders {
  private StorageProviders() {}

  /**
   * Opens the store at {@code location} with the provider registered for its scheme, looked up with the
   * thread's context class loader.
   */
  public static BlobStore open(StorageLocation location, OpenMode mode) throws StorageException {
    return forScheme(location.scheme()).open(location, mode);
  }

  /**
   * Returns the provider for {@code scheme}.
   *
   * @throws StorageException if none is on the class or module path
   */
  public static StorageProvider forScheme(String scheme) throws StorageException {
    String wanted = scheme.toLowerCase(Locale.ROOT);
    List<String> known = new ArrayList<>();
    for (StorageProvider provider : ServiceLoader.load(StorageProvider.class)) {
      if (provider.scheme().equals(wanted)) {
        return provider;
      }
      known.add(provider.scheme());
    }
    throw new StorageException(
        "no storage provider for scheme '"
            + wanted
            + "' (available: "
            + (known.isEmpty() ? "none" : String.join(", ", known))
            + "): add the provider's jar, such as bakare-store-"
            + wanted
            + ", to the class path");
  }
}
