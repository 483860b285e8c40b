/**
 * The file system storage provider of bakare: {@code file:} URIs and plain paths. It exports no package:
 * it is reached through {@link dev.bakare.store.spi.StorageProviders} by scheme.
 */
module dev.bakare.store.fs {
  requires dev.bakare.store.spi;
  requires static org.jspecify;

  provides dev.bakare.store.spi.StorageProvider with
      dev.bakare.store.fs.FileStorageProvider;
}
