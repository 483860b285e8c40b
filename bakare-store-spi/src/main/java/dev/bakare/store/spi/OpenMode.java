package dev.bakare.store.spi;

/** Whether {@link StorageProvider#open} may create the storage location. */
public enum OpenMode {
  /** The location must exist (a directory, a bucket); otherwise opening fails without creating it. */
  EXISTING,
  /**
   * Create the location where the provider can (a directory and its parents); a provider that cannot
   * create it (a bucket without permission) fails with a message saying what to create.
   */
  CREATE
}
