package dev.bakare;

import org.jspecify.annotations.Nullable;

/**
 * A key does not allow the operation: the key file is missing, belongs to another repository, its
 * passphrase is wrong, or it is a write key and the operation needs the full key.
 */
public class KeyException extends RepositoryException {
  private static final long serialVersionUID = 1L;

  public KeyException(String message) {
    super(message);
  }

  public KeyException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
