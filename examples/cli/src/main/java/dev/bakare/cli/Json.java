package dev.bakare.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The little JSON the CLI writes: objects with string, number, boolean, null, list and object members, in
 * insertion order. Written by hand so that the CLI needs no JSON library.
 */
final class Json {
  private final Map<String, @Nullable Object> members = new LinkedHashMap<>();

  private Json() {}

  static Json object() {
    return new Json();
  }

  /**
   * Adds a member. {@code value} is a {@link String}, {@link Long}, {@link Integer}, {@link Double}, {@link
   * Boolean}, {@link Json}, a {@link List} of those, or null.
   */
  Json put(String name, @Nullable Object value) {
    members.put(name, value);
    return this;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    write(out, this);
    return out.toString();
  }

  /** Renders a list of values as a JSON array. */
  static String array(List<?> values) {
    StringBuilder out = new StringBuilder();
    write(out, values);
    return out.toString();
  }

  private static void write(StringBuilder out, @Nullable Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      quote(out, s);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        // JSON has no NaN or infinity.
        out.append("null");
      } else {
        out.append(String.format(Locale.ROOT, "%.3f", d));
      }
    } else if (value instanceof Json json) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, @Nullable Object> member : json.members.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(out, member.getKey());
        out.append(':');
        write(out, member.getValue());
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(out, list.get(i));
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
  }

  /** Appends {@code s} as a JSON string literal. */
  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f || isLoneSurrogate(s, i)) {
            // A lone surrogate would not survive encoding to UTF-8; as an escape it stays valid JSON.
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static boolean isLoneSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }
}
