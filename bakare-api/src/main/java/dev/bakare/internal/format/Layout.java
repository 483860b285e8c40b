package dev.bakare.internal.format;

import dev.bakare.store.spi.BlobName;
import java.util.Optional;

/**
 * Where each kind of object lives in a repository (see docs/design.md, "Repository layout"). Content
 * addressed objects are named by the hex SHA-256 of their bytes.
 */
public final class Layout {
  public static final BlobName CONFIG = BlobName.of("config");
  public static final String KEYS = "keys/";
  public static final String DATA = "data/";
  public static final String INDEX = "index/";
  public static final String SNAPSHOTS = "snapshots/";
  public static final String FORGOTTEN = "forgotten/";

  private Layout() {}

  public static BlobName pack(ObjectId id) {
    String hex = id.hex();
    return BlobName.of(DATA + hex.substring(0, 2) + "/" + hex);
  }

  public static BlobName index(ObjectId id) {
    return BlobName.of(INDEX + id.hex());
  }

  public static BlobName snapshot(ObjectId id) {
    return BlobName.of(SNAPSHOTS + id.hex());
  }

  /**
   * The marker a forget leaves: a snapshot named here is treated as absent even if its blob is put again
   * (by a backup that was paused between its commit claim and storing its snapshot).
   */
  public static BlobName forgotten(ObjectId id) {
    return BlobName.of(FORGOTTEN + id.hex());
  }

  public static BlobName key(String name) {
    return BlobName.of(KEYS + name);
  }

  /**
   * The id in a listed name under {@code prefix} (such as {@code data/ab/ab12...}), or empty for a name
   * that is not one of ours (a foreign file in the directory, which callers ignore).
   */
  public static Optional<ObjectId> idOf(BlobName name, String prefix) {
    if (!name.hasPrefix(prefix)) {
      return Optional.empty();
    }
    String last = name.lastSegment();
    if (!ObjectId.isHex(last)) {
      return Optional.empty();
    }
    if (prefix.equals(DATA) && !name.value().equals(DATA + last.substring(0, 2) + "/" + last)) {
      return Optional.empty();
    }
    if (!prefix.equals(DATA) && !name.value().equals(prefix + last)) {
      return Optional.empty();
    }
    return Optional.of(ObjectId.fromHex(last));
  }
}
