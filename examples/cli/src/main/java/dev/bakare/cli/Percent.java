package dev.bakare.cli;

/** Percentages on the command line: {@code 10%}, {@code 2.5%}, or the number alone. */
final class Percent {
  private Percent() {}

  /**
   * Parses {@code text} given to {@code option}, as a number from {@code min} to {@code max}.
   *
   * @throws CliException a usage error naming the option and what it takes
   */
  static double parse(String option, String text, double min, double max) throws CliException {
    String digits = text.strip();
    if (digits.endsWith("%")) {
      digits = digits.substring(0, digits.length() - 1).strip();
    }
    double n;
    try {
      n = Double.parseDouble(digits);
    } catch (NumberFormatException e) {
      throw CliException.usage(option + " takes a percentage such as 10%, got " + text);
    }
    if (!(n >= min && n <= max)) {
      throw CliException.usage(option + " must be between " + plain(min) + "% and " + plain(max) + "%, got " + text);
    }
    return n;
  }

  private static String plain(double n) {
    return n == Math.rint(n) ? Long.toString((long) n) : Double.toString(n);
  }
}
