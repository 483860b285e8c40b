package dev.bakare.internal.find;

import java.util.ArrayList;
import java.util.List;

/**
 * One space-separated term of a fuzzy pattern, in fzf's extended-search syntax: {@code word} matches as
 * a subsequence, {@code 'word} as a substring, {@code ^word} at the start of the file name, {@code word$}
 * at the end of the path, and {@code !word} excludes paths containing it. A term is case-sensitive only
 * if it has an upper-case letter ("smart case"); otherwise its characters are kept lower-cased.
 *
 * @param chars the characters to match, lower-cased unless {@code caseSensitive}
 */
record Term(char[] chars, Kind kind, boolean caseSensitive) {
  /** How a term must occur in a path. */
  enum Kind {
    FUZZY,
    EXACT,
    NAME_PREFIX,
    PATH_SUFFIX,
    EXCLUDED;

    /** Whether every match contains the term as a subsequence, so the subsequence filter applies. */
    boolean positive() {
      return this != EXCLUDED;
    }
  }

  int length() {
    return chars.length;
  }

  /** The character as this term compares it. */
  char fold(char c) {
    return caseSensitive ? c : lower(c);
  }

  static char lower(char c) {
    if (c < 128) {
      return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
    return Character.toLowerCase(c);
  }

  /**
   * Splits a pattern into terms at spaces ({@code \ } is a literal space). Empty terms, and operators
   * with nothing after them, are dropped.
   */
  static List<Term> parse(String pattern) {
    List<Term> terms = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length() && pattern.charAt(i + 1) == ' ') {
        current.append(' ');
        i++;
      } else if (Character.isWhitespace(c)) {
        addTerm(terms, current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    addTerm(terms, current.toString());
    return terms;
  }

  private static void addTerm(List<Term> terms, String raw) {
    Kind kind = Kind.FUZZY;
    String text = raw;
    if (text.startsWith("!")) {
      kind = Kind.EXCLUDED;
      text = text.substring(1);
    } else if (text.startsWith("'")) {
      kind = Kind.EXACT;
      text = text.substring(1);
    } else if (text.startsWith("^")) {
      kind = Kind.NAME_PREFIX;
      text = text.substring(1);
    } else if (text.length() > 1 && text.endsWith("$")) {
      kind = Kind.PATH_SUFFIX;
      text = text.substring(0, text.length() - 1);
    }
    if (text.isEmpty()) {
      return;
    }
    boolean caseSensitive = !text.equals(text.toLowerCase(java.util.Locale.ROOT));
    char[] chars = text.toCharArray();
    if (!caseSensitive) {
      for (int i = 0; i < chars.length; i++) {
        chars[i] = lower(chars[i]);
      }
    }
    terms.add(new Term(chars, kind, caseSensitive));
  }

  /**
   * Continues a greedy left-to-right subsequence match: {@code matched} characters of the term were
   * found before {@code text[from]}; returns how many are found by {@code text[to - 1]}.
   */
  int advance(int matched, char[] text, int from, int to) {
    int k = matched;
    for (int i = from; i < to && k < chars.length; i++) {
      if (fold(text[i]) == chars[k]) {
        k++;
      }
    }
    return k;
  }

  /** The length of the longest suffix of the term that is a subsequence of {@code text[from, to)}. */
  int suffixIn(char[] text, int from, int to) {
    int j = chars.length - 1;
    for (int i = to - 1; i >= from && j >= 0; i--) {
      if (fold(text[i]) == chars[j]) {
        j--;
      }
    }
    return chars.length - 1 - j;
  }

  /** Where the term occurs as a substring of {@code text[0, length)} at or after {@code from}, or -1. */
  int indexIn(char[] text, int length, int from) {
    int last = length - chars.length;
    outer:
    for (int start = Math.max(0, from); start <= last; start++) {
      for (int k = 0; k < chars.length; k++) {
        if (fold(text[start + k]) != chars[k]) {
          continue outer;
        }
      }
      return start;
    }
    return -1;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Term t && kind == t.kind && caseSensitive == t.caseSensitive
        && java.util.Arrays.equals(chars, t.chars);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(chars) * 31 + kind.hashCode();
  }

  @Override
  public String toString() {
    return kind + ":" + new String(chars) + (caseSensitive ? " (case-sensitive)" : "");
  }
}
