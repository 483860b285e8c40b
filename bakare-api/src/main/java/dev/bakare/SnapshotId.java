package dev.bakare;

import java.util.Locale;

/**
 * The id of a snapshot: the SHA-256 of its stored bytes, as 64 lower-case hex digits. Users usually see
 * and type the first 8 ({@link #shortId()}).
 */
public record SnapshotId(String hex) implements Comparable<SnapshotId> {
  public SnapshotId {
    hex = hex.toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("'" + hex + "' is not a snapshot id (64 hex digits)");
    }
  }

  public String shortId() {
    return hex.substring(0, 8);
  }

  @Override
  public int compareTo(SnapshotId other) {
    return hex.compareTo(other.hex);
  }

  @Override
  public String toString() {
    return hex;
  }
}
