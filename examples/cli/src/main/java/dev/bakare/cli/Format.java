package dev.bakare.cli;

import dev.bakare.FileError;
import dev.bakare.FileType;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the CLI shows sizes, times, durations and permissions to people. */
final class Format {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private Format() {}

  /** {@code 512 B}, {@code 1.5 KiB}, {@code 20.0 GiB}: 1024-based, one decimal above bytes. */
  static String size(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size " + bytes);
    }
    double value = bytes;
    int unit = 0;
    // Compare after rounding to one decimal, so 1048575 bytes read "1.0 MiB", not "1024.0 KiB".
    while (unit < UNITS.length - 1 && Math.round(value * 10) >= 1024 * 10) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  /** {@code 0.4s}, {@code 12.3s}, {@code 3m05s}, {@code 1h02m03s}. */
  static String duration(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm%02ds", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }

  /** A time in this machine's time zone, to the second. */
  static String localTime(Instant time) {
    return LOCAL_TIME.format(time.atZone(ZoneId.systemDefault()));
  }

  /** The mode column of {@code ls -l}: type letter, then permissions with setuid, setgid and sticky bits. */
  static String mode(FileType type, int mode) {
    char kind = switch (type) {
      case FILE -> '-';
      case DIRECTORY -> 'd';
      case SYMLINK -> 'l';
      // The API does not say which special kind (FIFO, socket, device) an entry is.
      case SPECIAL -> '?';
    };
    StringBuilder out = new StringBuilder(10).append(kind);
    appendTriplet(out, mode >> 6, (mode & 04000) != 0, 's');
    appendTriplet(out, mode >> 3, (mode & 02000) != 0, 's');
    appendTriplet(out, mode, (mode & 01000) != 0, 't');
    return out.toString();
  }

  private static void appendTriplet(StringBuilder out, int bits, boolean special, char specialLetter) {
    out.append((bits & 4) != 0 ? 'r' : '-');
    out.append((bits & 2) != 0 ? 'w' : '-');
    boolean execute = (bits & 1) != 0;
    if (special) {
      out.append(execute ? specialLetter : Character.toUpperCase(specialLetter));
    } else {
      out.append(execute ? 'x' : '-');
    }
  }

  /** A file that failed, as the CLI lists it on stderr. */
  static String error(FileError error) {
    return "error: " + error.path() + ": " + error.reason();
  }

  /** {@code 1 file}, {@code 2 files}. */
  static String count(long n, String singular, String plural) {
    return n + " " + (n == 1 ? singular : plural);
  }

  /**
   * Parses a size such as {@code 4096}, {@code 256K}, {@code 1M} or {@code 2G} (binary units, case
   * insensitive, an optional trailing {@code B} or {@code iB}).
   *
   * @throws IllegalArgumentException naming {@code option} if the text is not a size or exceeds 2 GiB
   */
  static int parseSize(String text, String option) {
    long value = parseLongSize(text, option);
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(option + " size " + text + " is above 2 GiB");
    }
    return (int) value;
  }

  /** {@link #parseSize} without the 2 GiB bound. */
  static long parseLongSize(String text, String option) {
    String t = text.strip().toUpperCase(java.util.Locale.ROOT);
    if (t.endsWith("IB")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    long unit = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'K' -> unit = 1L << 10;
        case 'M' -> unit = 1L << 20;
        case 'G' -> unit = 1L << 30;
        default -> unit = 1;
      }
    }
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    try {
      long value = Math.multiplyExact(Long.parseLong(digits), unit);
      if (value < 0) {
        throw new IllegalArgumentException(option + " size " + text + " is negative");
      }
      return value;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(option + " takes a size such as 4096, 256K, 16M; got " + text, e);
    }
  }
}
