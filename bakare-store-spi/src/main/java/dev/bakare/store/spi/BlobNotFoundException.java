package dev.bakare.store.spi;

/** The named blob does not exist. Never transient: stores give read-after-write consistency. */
public final class BlobNotFoundException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final BlobName blob;

  public BlobNotFoundException(BlobName blob, String where) {
    super("blob " + blob + " not found in " + where);
    this.blob = blob;
  }

  public BlobName blob() {
    return blob;
  }
}
