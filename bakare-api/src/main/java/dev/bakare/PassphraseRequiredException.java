package dev.bakare;

/**
 * The key is protected by a passphrase and none was given: ask the user for it and open again.
 */
public class PassphraseRequiredException extends KeyException {
  private static final long serialVersionUID = 1L;

  public PassphraseRequiredException(String message) {
    super(message);
  }
}
