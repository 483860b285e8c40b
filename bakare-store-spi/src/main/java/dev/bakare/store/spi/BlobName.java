package dev.bakare.store.spi;

import org.jspecify.annotations.Nullable;

/**
 * The name of a blob: one or more segments separated by {@code /}. A segment is 1 to 255 characters of
 * {@code [A-Za-z0-9._-]} and is neither {@code .} nor {@code ..}; the whole name is at most 1024
 * characters. The restriction keeps names portable across file systems and object stores and makes
 * path traversal through a name impossible.
 */
public record BlobName(String value) implements Comparable<BlobName> {

  public static final int MAX_LENGTH = 1024;

  public BlobName {
    String problem = problemWith(value, false);
    if (problem != null) {
      throw new IllegalArgumentException("invalid blob name '" + value + "': " + problem);
    }
  }

  public static BlobName of(String value) {
    return new BlobName(value);
  }

  /** Whether {@code value} is a valid blob name. */
  public static boolean isValid(String value) {
    return problemWith(value, false) == null;
  }

  /**
   * Checks a listing prefix: empty, or a string that could begin a valid blob name (its last segment may
   * be partial or empty, as in {@code data/} or {@code data/a}).
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static String checkPrefix(String prefix) {
    if (prefix.isEmpty()) {
      return prefix;
    }
    String problem = problemWith(prefix, true);
    if (problem != null) {
      throw new IllegalArgumentException("invalid blob name prefix '" + prefix + "': " + problem);
    }
    return prefix;
  }

  /** Whether this name starts with {@code prefix} (a plain string prefix, as object stores define it). */
  public boolean hasPrefix(String prefix) {
    return value.startsWith(prefix);
  }

  /** The last segment of the name. */
  public String lastSegment() {
    return value.substring(value.lastIndexOf('/') + 1);
  }

  @Override
  public int compareTo(BlobName other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }

  private static @Nullable String problemWith(String value, boolean prefix) {
    if (value.isEmpty()) {
      return "it is empty";
    }
    if (value.length() > MAX_LENGTH) {
      return "it is longer than " + MAX_LENGTH + " characters";
    }
    int segmentStart = 0;
    for (int i = 0; i <= value.length(); i++) {
      boolean end = i == value.length();
      char c = end ? '/' : value.charAt(i);
      if (c == '/') {
        int segmentLength = i - segmentStart;
        boolean lastPartial = prefix && end;
        if (segmentLength == 0 && !lastPartial) {
          return "it has an empty segment";
        }
        if (segmentLength > 255) {
          return "a segment is longer than 255 characters";
        }
        String segment = value.substring(segmentStart, i);
        if (!lastPartial && (segment.equals(".") || segment.equals(".."))) {
          return "it has a '" + segment + "' segment";
        }
        segmentStart = i + 1;
      } else if (!isAllowed(c)) {
        return "character '" + c + "' is not allowed (only A-Z a-z 0-9 . _ - and / between segments)";
      }
    }
    return null;
  }

  private static boolean isAllowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }
}
