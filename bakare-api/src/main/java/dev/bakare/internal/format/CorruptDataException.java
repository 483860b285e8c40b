package dev.bakare.internal.format;

/**
 * Bytes read from storage do not decode: a bad length, an unknown tag, a failed authentication tag. Thrown
 * by decoders, which do not know where the bytes came from; callers turn it into a public {@code
 * IntegrityException} naming the blob.
 */
public final class CorruptDataException extends Exception {
  private static final long serialVersionUID = 1L;

  public CorruptDataException(String message) {
    super(message);
  }

  public CorruptDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
