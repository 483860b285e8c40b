package dev.bakare.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as people type them: {@code 90s}, {@code 10m}, {@code 7d}, {@code 1h30m}, {@code 500ms},
 * {@code 2w}. Parts go from the largest unit to the smallest, each unit at most once; {@code 0} alone is
 * zero. Units: {@code w} (7 days), {@code d} (24 hours), {@code h}, {@code m}, {@code s}, {@code ms}.
 */
final class Durations {
  /** What an option taking a duration says about it in its help. */
  static final String EXAMPLES = "such as 90s, 10m, 7d or 1h30m";

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|w|d|h|m|s)");
  private static final String[] ORDER = {"w", "d", "h", "m", "s", "ms"};

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException saying what is wrong and what a duration looks like
   */
  static Duration parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text, "it is empty");
    }
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int position = 0;
    int lastUnit = -1;
    while (position < s.length()) {
      if (!m.find(position) || m.start() != position) {
        throw invalid(text, "'" + s.substring(position) + "' is not a number followed by a unit");
      }
      int unit = indexOf(m.group(2));
      if (unit <= lastUnit) {
        throw invalid(text, "units go from the largest to the smallest, each once");
      }
      lastUnit = unit;
      try {
        total = total.plus(of(Long.parseLong(m.group(1)), m.group(2)));
      } catch (NumberFormatException | ArithmeticException e) {
        throw invalid(text, "it is too long");
      }
      position = m.end();
    }
    return total;
  }

  private static Duration of(long amount, String unit) {
    return switch (unit) {
      case "w" -> Duration.ofDays(Math.multiplyExact(amount, 7));
      case "d" -> Duration.ofDays(amount);
      case "h" -> Duration.ofHours(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMillis(amount);
    };
  }

  private static int indexOf(String unit) {
    for (int i = 0; i < ORDER.length; i++) {
      if (ORDER[i].equals(unit)) {
        return i;
      }
    }
    throw new IllegalStateException("the pattern admits only known units, got " + unit);
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException("'" + text + "' is not a duration (" + why + "): give one " + EXAMPLES
        + "; units are w, d, h, m, s and ms");
  }

  /** {@code 1h30m}, {@code 90s}, {@code 500ms}, {@code 0s}: the shortest form {@link #parse} reads back. */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long millis = d.toMillis();
    long[] sizes = {7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
    for (int i = 0; i < ORDER.length; i++) {
      long n = millis / sizes[i];
      if (n > 0) {
        out.append(n).append(ORDER[i]);
        millis -= n * sizes[i];
      }
    }
    return out.toString();
  }

  /** Lets picocli read options of type {@link Duration}. */
  static final class Converter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
