package dev.bakare.store.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Captures what the engine's retrying store wrapper logs (through System.Logger, which is
 * java.util.logging here): each retry at DEBUG (FINE) and the summary when the store closes.
 */
final class RetryLog extends Handler implements AutoCloseable {
  static final String LOGGER = "dev.bakare.internal.store.RetryingBlobStore";

  private final Logger logger = Logger.getLogger(LOGGER);
  private final Level previous;
  private final List<String> retries = new ArrayList<>();
  private final List<String> summaries = new ArrayList<>();

  RetryLog() {
    previous = logger.getLevel();
    logger.setLevel(Level.FINE);
    logger.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    String message = record.getMessage();
    if (message.startsWith("retrying ")) {
      retries.add(message);
    } else if (message.startsWith("storage retries for ")) {
      summaries.add(message);
    }
  }

  synchronized List<String> retries() {
    return List.copyOf(retries);
  }

  synchronized List<String> summaries() {
    return List.copyOf(summaries);
  }

  /** How many retried failures there were of each root cause (the innermost exception named). */
  synchronized String causes() {
    Map<String, Integer> counts = new TreeMap<>();
    Pattern exception = Pattern.compile("([A-Z][A-Za-z]*(?:Exception|Error))(: [^()]*)?");
    for (String retry : retries) {
      Matcher m = exception.matcher(retry);
      String cause = "other";
      while (m.find()) {
        cause = m.group(0).strip();
      }
      counts.merge(cause.replaceAll("[0-9]+", "N"), 1, Integer::sum);
    }
    return counts.toString();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previous);
  }
}
