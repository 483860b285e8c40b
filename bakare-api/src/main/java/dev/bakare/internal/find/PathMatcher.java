package dev.bakare.internal.find;

import java.nio.CharBuffer;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Decides whether a path matches and how well, in a form that lets the search test millions of entries
 * cheaply: a small state per directory path and per distinct name (computed once each), a test on the two
 * that every match passes ({@link #mayMatch}), and the full score for the few that pass it.
 *
 * <p>A directory's state describes the text {@code dir + "/"}; a child directory's state continues its
 * parent's over {@code name + "/"}, so no path string is built to compute it.
 */
abstract class PathMatcher {
  static final int NO_MATCH = FuzzyScorer.NO_MATCH;

  /** Ints of state per directory path and per name. */
  abstract int stateSize();

  /** The state of the root directory, whose text is {@code "/"}. */
  abstract void rootState(int[] states, int at);

  /** The state of the directory {@code parent + "/" + name}, continuing the parent's. */
  abstract void childState(int[] states, int parentAt, int childAt, char[] name, int from, int to);

  /** The state of a name. */
  abstract void nameState(char[] name, int from, int to, int[] states, int at);

  /** False only if no path {@code dir + "/" + name} can match. */
  abstract boolean mayMatch(int[] dirStates, int dirAt, int[] nameStates, int nameAt);

  /** The score of {@code path[0, length)} (higher is better), or {@link #NO_MATCH}. */
  abstract int score(char[] path, int length, int nameStart);

  /** A fuzzy pattern: space-separated terms, each of which must match (fzf's extended search). */
  static PathMatcher fuzzy(String pattern) {
    List<Term> terms = Term.parse(pattern);
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("the pattern '" + pattern + "' has no term to search for: give part of a name");
    }
    return new Fuzzy(terms);
  }

  /**
   * A glob: {@code *} and {@code ?} within a segment, {@code **} across segments, {@code [abc]}, {@code
   * {a,b}}. Without a {@code /} it matches the whole file name; with one, the end of the path at a
   * segment start ({@code docs/*.pdf}), or the whole path if it starts with {@code /}. Smart case.
   */
  static PathMatcher glob(String glob) {
    boolean namesOnly = glob.indexOf('/') < 0;
    String body = Glob.toRegex(glob);
    String regex = namesOnly ? "^" + body + "$" : (glob.startsWith("/") ? "^" : "(?:^|/)") + body + "$";
    return new Expression(compile(regex, hasUpperCase(glob), "glob", glob), namesOnly);
  }

  /**
   * A regular expression (java.util.regex), found anywhere in the file name, or in the whole path if it
   * contains a {@code /}. Smart case.
   */
  static PathMatcher regex(String regex) {
    return new Expression(compile(regex, hasUpperCase(regex), "regular expression", regex), regex.indexOf('/') < 0);
  }

  private static Pattern compile(String regex, boolean caseSensitive, String what, String given) {
    try {
      return Pattern.compile(regex, caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("'" + given + "' is not a valid " + what + ": " + e.getDescription()
          + " near index " + e.getIndex(), e);
    }
  }

  /** Upper-case letters outside escapes ({@code \D} is a character class, not a capital D). */
  static boolean hasUpperCase(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        i++;
      } else if (Character.isUpperCase(c)) {
        return true;
      }
    }
    return false;
  }

  private static final class Fuzzy extends PathMatcher {
    private final Term[] terms;
    /** The terms every match contains as a subsequence, whose state is kept. */
    private final Term[] positive;
    private final FuzzyScorer scorer = new FuzzyScorer();
    private static final char[] SLASH = {'/'};

    Fuzzy(List<Term> terms) {
      this.terms = terms.toArray(Term[]::new);
      this.positive = terms.stream().filter(t -> t.kind().positive()).toArray(Term[]::new);
    }

    @Override
    int stateSize() {
      return positive.length;
    }

    @Override
    void rootState(int[] states, int at) {
      for (int t = 0; t < positive.length; t++) {
        states[at + t] = positive[t].advance(0, SLASH, 0, 1);
      }
    }

    @Override
    void childState(int[] states, int parentAt, int childAt, char[] name, int from, int to) {
      for (int t = 0; t < positive.length; t++) {
        int k = positive[t].advance(states[parentAt + t], name, from, to);
        states[childAt + t] = positive[t].advance(k, SLASH, 0, 1);
      }
    }

    @Override
    void nameState(char[] name, int from, int to, int[] states, int at) {
      for (int t = 0; t < positive.length; t++) {
        states[at + t] = positive[t].suffixIn(name, from, to);
      }
    }

    @Override
    boolean mayMatch(int[] dirStates, int dirAt, int[] nameStates, int nameAt) {
      // The term is a subsequence of dir + name exactly when the longest prefix found in the directory
      // and the longest suffix found in the name cover it.
      for (int t = 0; t < positive.length; t++) {
        if (dirStates[dirAt + t] + nameStates[nameAt + t] < positive[t].length()) {
          return false;
        }
      }
      return true;
    }

    @Override
    int score(char[] path, int length, int nameStart) {
      int total = 0;
      for (Term term : terms) {
        int s = scorer.score(term, path, length, nameStart);
        if (s == NO_MATCH) {
          return NO_MATCH;
        }
        total += s;
      }
      return total;
    }
  }

  /** A glob or regular expression; every match scores 0, so results are ordered by path. */
  private static final class Expression extends PathMatcher {
    private final java.util.regex.Matcher matcher;
    private final boolean namesOnly;

    Expression(Pattern pattern, boolean namesOnly) {
      this.matcher = pattern.matcher("");
      this.namesOnly = namesOnly;
    }

    @Override
    int stateSize() {
      return namesOnly ? 1 : 0;
    }

    @Override
    void rootState(int[] states, int at) {
      // Directories play no part: the pattern looks at names only, or at the whole path when scored.
    }

    @Override
    void childState(int[] states, int parentAt, int childAt, char[] name, int from, int to) {
      // As above.
    }

    @Override
    void nameState(char[] name, int from, int to, int[] states, int at) {
      if (namesOnly) {
        states[at] = matcher.reset(CharBuffer.wrap(name, from, to - from)).find() ? 1 : 0;
      }
    }

    @Override
    boolean mayMatch(int[] dirStates, int dirAt, int[] nameStates, int nameAt) {
      return !namesOnly || nameStates[nameAt] == 1;
    }

    @Override
    int score(char[] path, int length, int nameStart) {
      if (namesOnly) {
        // mayMatch decided it on the name alone.
        return 0;
      }
      return matcher.reset(CharBuffer.wrap(path, 0, length)).find() ? 0 : NO_MATCH;
    }
  }
}
