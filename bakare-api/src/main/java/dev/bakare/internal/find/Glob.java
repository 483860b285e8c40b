package dev.bakare.internal.find;

import java.util.regex.Pattern;

/** Translates a shell glob into a java.util.regex body (without anchors). */
final class Glob {
  private Glob() {}

  /**
   * {@code **}{@code /} matches any number of whole segments, {@code **} anything, {@code *} anything
   * within a segment, {@code ?} one character other than {@code /}, {@code [a-z]} and {@code [!a-z]} a
   * class, {@code {a,b}} either alternative, and {@code \x} the character x.
   *
   * @throws IllegalArgumentException for an unclosed {@code [} or {@code {}, or a trailing {@code \}
   */
  static String toRegex(String glob) {
    StringBuilder out = new StringBuilder();
    int braces = 0;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            i++;
            if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
              i++;
              out.append("(?:.*/)?");
            } else {
              out.append(".*");
            }
          } else {
            out.append("[^/]*");
          }
        }
        case '?' -> out.append("[^/]");
        case '[' -> i = characterClass(glob, i, out);
        case '{' -> {
          braces++;
          out.append("(?:");
        }
        case '}' -> {
          if (braces == 0) {
            out.append("\\}");
          } else {
            braces--;
            out.append(')');
          }
        }
        case ',' -> out.append(braces > 0 ? "|" : ",");
        case '\\' -> {
          if (i + 1 == glob.length()) {
            throw new IllegalArgumentException("the glob '" + glob + "' ends with a lone '\\': escape a character"
                + " after it, or write '\\\\' for a backslash");
          }
          out.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
        }
        default -> out.append(Pattern.quote(String.valueOf(c)));
      }
    }
    if (braces > 0) {
      throw new IllegalArgumentException("the glob '" + glob + "' has an unclosed '{': close it with '}'");
    }
    return out.toString();
  }

  private static int characterClass(String glob, int open, StringBuilder out) {
    int i = open + 1;
    StringBuilder cls = new StringBuilder("[");
    if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
      cls.append('^');
      i++;
    }
    boolean first = true;
    for (; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == ']' && !first) {
        out.append(cls).append(']');
        return i;
      }
      first = false;
      if (c == '\\' || c == '[' || c == '&' || c == '^' || c == ']') {
        cls.append('\\');
      }
      cls.append(c);
    }
    throw new IllegalArgumentException("the glob '" + glob + "' has an unclosed '[': close it with ']'");
  }
}
