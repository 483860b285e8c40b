/** The storage SPI of bakare: {@link dev.bakare.store.spi.StorageProvider} opens a {@link dev.bakare.store.spi.BlobStore}. */
module dev.bakare.store.spi {
  requires static transitive org.jspecify;

  exports dev.bakare.store.spi;

  uses dev.bakare.store.spi.StorageProvider;
}
