package dev.bakare.store.spi;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A storage operation failed. {@link #isTransient()} tells whether retrying the same operation may
 * succeed (a timeout, a reset connection, a 5xx or throttling answer) or is pointless (access denied, a
 * missing bucket, a malformed location). The message names the operation's object (blob, bucket, path)
 * and, where there is one, what the user can do.
 */
public class StorageException extends IOException {
  private static final long serialVersionUID = 1L;

  private final boolean transientFailure;

  /** A permanent failure. */
  public StorageException(String message) {
    this(message, null, false);
  }

  /** A permanent failure caused by {@code cause}. */
  public StorageException(String message, @Nullable Throwable cause) {
    this(message, cause, false);
  }

  public StorageException(String message, @Nullable Throwable cause, boolean transientFailure) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  /** Whether retrying the same operation may succeed. */
  public boolean isTransient() {
    return transientFailure;
  }
}
