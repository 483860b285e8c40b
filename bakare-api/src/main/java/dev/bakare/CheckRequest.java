package dev.bakare;

/**
 * What {@link Repository#check} verifies.
 *
 * @param readDataPercent 0 checks structure only (every snapshot's trees and chunks resolve through the
 *     index, every index entry points into an existing pack); above 0, that share of the packs (chosen at
 *     random) is also read whole, its SHA-256 compared with its name, and with the full key every chunk in
 *     it decrypted and compared with its id; 100 reads everything
 */
public record CheckRequest(int readDataPercent) {
  public CheckRequest {
    if (readDataPercent < 0 || readDataPercent > 100) {
      throw new IllegalArgumentException("readDataPercent must be within 0..100, got " + readDataPercent);
    }
  }

  public static CheckRequest structure() {
    return new CheckRequest(0);
  }

  public static CheckRequest readAllData() {
    return new CheckRequest(100);
  }
}
