package dev.bakare;

/** The location holds no bakare repository. */
public class RepositoryNotFoundException extends RepositoryException {
  private static final long serialVersionUID = 1L;

  public RepositoryNotFoundException(String message) {
    super(message);
  }
}
