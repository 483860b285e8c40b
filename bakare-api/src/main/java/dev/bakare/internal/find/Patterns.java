package dev.bakare.internal.find;

import dev.bakare.FindQuery;

/** The matcher for a query's pattern and mode. */
public final class Patterns {
  private Patterns() {}

  /**
   * Checks that the pattern can be used in the mode.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static void check(FindQuery.Mode mode, String pattern) {
    matcher(mode, pattern);
  }

  static PathMatcher matcher(FindQuery.Mode mode, String pattern) {
    if (pattern.isBlank()) {
      throw new IllegalArgumentException("the pattern is empty: give part of a file name");
    }
    return switch (mode) {
      case FUZZY -> PathMatcher.fuzzy(pattern);
      case GLOB -> PathMatcher.glob(pattern);
      case REGEX -> PathMatcher.regex(pattern);
    };
  }
}
