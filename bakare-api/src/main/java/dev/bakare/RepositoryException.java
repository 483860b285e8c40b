package dev.bakare;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A repository operation failed for a reason other than storage I/O (which is a {@link
 * dev.bakare.store.spi.StorageException}): the location holds no repository, a key does not fit, an
 * object failed verification. The message says what failed, on which object, and what to do.
 */
public class RepositoryException extends IOException {
  private static final long serialVersionUID = 1L;

  public RepositoryException(String message) {
    super(message);
  }

  public RepositoryException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
