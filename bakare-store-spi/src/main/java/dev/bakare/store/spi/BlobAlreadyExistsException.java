package dev.bakare.store.spi;

/** A {@link PutMode#CREATE_ONLY} put found the name taken. Never transient. */
public final class BlobAlreadyExistsException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final BlobName blob;

  public BlobAlreadyExistsException(BlobName blob, String where) {
    super("blob " + blob + " already exists in " + where);
    this.blob = blob;
  }

  public BlobName blob() {
    return blob;
  }
}
