package dev.bakare;

import org.jspecify.annotations.Nullable;

/**
 * An object read from the repository is damaged or forged: authentication failed, it is truncated, it
 * does not decode, or its content does not match its id. Never silently ignored.
 */
public class IntegrityException extends RepositoryException {
  private static final long serialVersionUID = 1L;

  private final String object;
  private final String problem;

  /**
   * @param object the damaged object as it is named in the repository, such as {@code data/ab/ab12...}
   * @param problem what is wrong with it
   */
  public IntegrityException(String object, String problem, @Nullable Throwable cause) {
    super(object + " is damaged: " + problem, cause);
    this.object = object;
    this.problem = problem;
  }

  /** What is wrong with the object, without its name. */
  public String problem() {
    return problem;
  }

  /** The damaged object's name in the repository. */
  public String object() {
    return object;
  }
}
