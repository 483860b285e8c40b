package dev.bakare.internal.protocol;

import dev.bakare.store.spi.BlobName;
import java.util.HexFormat;
import java.util.Optional;

/** Names of the protocol's blobs. Session, tombstone and lease ids are random or sequential, not hashes. */
public final class ProtocolLayout {
  public static final String SESSIONS = "sessions/";
  public static final String TOMBSTONES = "tombstones/";
  public static final String LEASES = "leases/";
  private static final HexFormat HEX = HexFormat.of();

  private ProtocolLayout() {}

  public static BlobName sessionStart(String session) {
    return BlobName.of(SESSIONS + session + "/start");
  }

  public static BlobName sessionBeat(String session, long sequence) {
    return BlobName.of(SESSIONS + session + "/beat-" + HEX.toHexDigits(sequence));
  }

  public static BlobName sessionPending(String session) {
    return BlobName.of(SESSIONS + session + "/snapshot");
  }

  /** Put after a committed backup stored its snapshot: from then on the parked copy is not needed. */
  public static BlobName sessionStored(String session) {
    return BlobName.of(SESSIONS + session + "/stored");
  }

  public static BlobName sessionFinal(String session) {
    return BlobName.of(SESSIONS + session + "/final");
  }

  public static String sessionPrefix(String session) {
    return SESSIONS + session + "/";
  }

  public static BlobName tombstonePacks(String tombstone) {
    return BlobName.of(TOMBSTONES + tombstone + "/packs");
  }

  public static BlobName tombstoneSessions(String tombstone) {
    return BlobName.of(TOMBSTONES + tombstone + "/sessions");
  }

  public static BlobName lease(long sequence) {
    return BlobName.of(LEASES + HEX.toHexDigits(sequence));
  }

  /** The id in {@code <prefix><id>/...}, if the name has that shape with a 32-hex-digit id. */
  public static Optional<String> idBelow(BlobName name, String prefix) {
    String value = name.value();
    if (!value.startsWith(prefix)) {
      return Optional.empty();
    }
    int slash = value.indexOf('/', prefix.length());
    if (slash < 0) {
      return Optional.empty();
    }
    String id = value.substring(prefix.length(), slash);
    return isId(id) ? Optional.of(id) : Optional.empty();
  }

  public static boolean isId(String id) {
    return id.length() == 32 && id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  public static Optional<Long> leaseSequence(BlobName name) {
    String value = name.value();
    if (!value.startsWith(LEASES) || value.length() != LEASES.length() + 16) {
      return Optional.empty();
    }
    try {
      return Optional.of(HEX.fromHexDigitsToLong(value.substring(LEASES.length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
