package dev.bakare.internal.repo;

import dev.bakare.internal.format.CorruptDataException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small text format of config and key files: UTF-8 lines {@code "key: value"}, each key once, in a
 * fixed order, ending with a newline. Humans can read them; decoders are strict.
 */
final class TextRecord {
  private static final int MAX_BYTES = 64 * 1024;

  private TextRecord() {}

  static String format(Map<String, String> fields) {
    StringBuilder out = new StringBuilder();
    fields.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
    return out.toString();
  }

  static LinkedHashMap<String, String> parse(byte[] bytes, String what) throws CorruptDataException {
    if (bytes.length > MAX_BYTES) {
      throw new CorruptDataException(what + " is " + bytes.length + " bytes, more than a " + what + " can be");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new CorruptDataException(what + " is not UTF-8 text", e);
    }
    if (!text.endsWith("\n")) {
      throw new CorruptDataException(what + " does not end with a newline (truncated?)");
    }
    LinkedHashMap<String, String> fields = new LinkedHashMap<>();
    int lineNumber = 0;
    for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
      lineNumber++;
      int colon = line.indexOf(": ");
      if (colon <= 0) {
        throw new CorruptDataException(what + " line " + lineNumber + " is not 'key: value'");
      }
      String key = line.substring(0, colon);
      if (fields.put(key, line.substring(colon + 2)) != null) {
        throw new CorruptDataException(what + " has '" + key + "' twice");
      }
    }
    return fields;
  }

  static String require(Map<String, String> fields, String key, String what) throws CorruptDataException {
    String value = fields.get(key);
    if (value == null) {
      throw new CorruptDataException(what + " lacks '" + key + "'");
    }
    return value;
  }

  static long number(Map<String, String> fields, String key, String what, long min, long max)
      throws CorruptDataException {
    String value = require(fields, key, what);
    try {
      long n = Long.parseLong(value);
      if (n < min || n > max) {
        throw new CorruptDataException(what + " '" + key + "' = " + n + " is outside " + min + ".." + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new CorruptDataException(what + " '" + key + "' is not a number: " + value, e);
    }
  }
}
