package dev.bakare.internal.protocol;

import dev.bakare.IntegrityException;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.store.BlobBytes;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading tombstones. */
public final class Tombstones {
  private Tombstones() {}

  /** The ids of all tombstones, in no particular order. */
  public static List<String> ids(BlobStore store) throws IOException {
    Set<String> ids = new HashSet<>();
    store.list(ProtocolLayout.TOMBSTONES, info -> ProtocolLayout.idBelow(info.name(), ProtocolLayout.TOMBSTONES)
        .ifPresent(ids::add));
    return new ArrayList<>(ids);
  }

  /**
   * Every tombstone by id. A tombstone that is listed but unreadable fails the caller: a writer that
   * ignored it could deduplicate against packs about to be deleted.
   */
  public static Map<String, Tombstone> load(BlobStore store, Sealing sealing) throws IOException {
    Map<String, Tombstone> tombstones = new LinkedHashMap<>();
    for (String id : ids(store)) {
      read(store, sealing, id).ifPresent(t -> tombstones.put(id, t));
    }
    return tombstones;
  }

  /** All packs any tombstone names. */
  public static Set<ObjectId> packs(BlobStore store, Sealing sealing) throws IOException {
    Set<ObjectId> packs = new HashSet<>();
    for (Tombstone t : load(store, sealing).values()) {
      packs.addAll(t.packs());
    }
    return packs;
  }

  /** A tombstone's packs, or empty if it was swept between listing and reading. */
  public static java.util.Optional<Tombstone> read(BlobStore store, Sealing sealing, String id) throws IOException {
    BlobName name = ProtocolLayout.tombstonePacks(id);
    byte[] bytes;
    try {
      bytes = BlobBytes.array(store.get(name));
    } catch (BlobNotFoundException e) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(Tombstone.decode(sealing.openWithIndexKey(Tombstone.PURPOSE, bytes)));
    } catch (CorruptDataException e) {
      throw new IntegrityException(name.value(), e.getMessage() + "; writers cannot safely continue: run check", e);
    }
  }

  /** The sessions recorded for a tombstone, or empty if its prune stopped before recording them. */
  public static java.util.Optional<TombstoneSessions> sessions(BlobStore store, Sealing sealing, String id)
      throws IOException {
    BlobName name = ProtocolLayout.tombstoneSessions(id);
    byte[] bytes;
    try {
      bytes = BlobBytes.array(store.get(name));
    } catch (BlobNotFoundException e) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(TombstoneSessions.decode(sealing.openWithIndexKey(TombstoneSessions.PURPOSE, bytes)));
    } catch (CorruptDataException e) {
      throw new IntegrityException(name.value(), e.getMessage(), e);
    }
  }
}
