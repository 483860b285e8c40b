package dev.bakare.store.spi;

/**
 * Opens {@link BlobStore}s for one URI scheme. Implementations are found with {@link
 * java.util.ServiceLoader} (declare them in {@code META-INF/services/dev.bakare.store.spi.StorageProvider}
 * and in {@code module-info} with {@code provides}); they need a public no-argument constructor and must
 * be cheap to construct: work happens in {@link #open}.
 */
public interface StorageProvider {

  /** The URI scheme this provider serves, in lower case, such as {@code file} or {@code s3}. */
  String scheme();

  /**
   * Opens the store at {@code location}.
   *
   * @throws StorageException if the location is malformed, names an unknown option, does not exist (in
   *     {@link OpenMode#EXISTING} mode) or cannot be reached; the message says which and what to do
   */
  BlobStore open(StorageLocation location, OpenMode mode) throws StorageException;
}
