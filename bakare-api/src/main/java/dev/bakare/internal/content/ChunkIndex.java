package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which chunks the repository holds and where. A chunk stored more than once (two writers raced, or a
 * writer re-uploaded a chunk whose pack was tombstoned) keeps every location, and lookups prefer one in
 * a pack no tombstone names. Thread-safe.
 */
public final class ChunkIndex {
  private final ConcurrentHashMap<ObjectId, ChunkLocation> chunks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ObjectId, List<ChunkLocation>> copies = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ObjectId, PackRef> packs = new ConcurrentHashMap<>();
  private volatile Set<ObjectId> tombstoned = Set.of();

  public void add(IndexSegment.IndexedPack pack) {
    PackRef ref = packs.computeIfAbsent(pack.pack().id(), id -> pack.pack());
    for (PackEntry entry : pack.entries()) {
      ChunkLocation location = ChunkLocation.of(ref, entry);
      ChunkLocation first = chunks.putIfAbsent(entry.id(), location);
      if (first != null && !first.pack().id().equals(ref.id())) {
        copies.computeIfAbsent(entry.id(), id -> new CopyOnWriteArrayList<>()).add(location);
      }
    }
  }

  public void addAll(IndexSegment segment) {
    for (IndexSegment.IndexedPack pack : segment.packs()) {
      add(pack);
    }
  }

  /** Tells the index which packs tombstones name, as the caller listed them. */
  public void setTombstoned(Set<ObjectId> packIds) {
    this.tombstoned = Set.copyOf(packIds);
  }

  public boolean isTombstoned(ObjectId pack) {
    return tombstoned.contains(pack);
  }

  /** Where to read a chunk: a location in a pack no tombstone names if there is one, else any. */
  public Optional<ChunkLocation> find(ObjectId chunk) {
    ChunkLocation first = chunks.get(chunk);
    if (first == null || !tombstoned.contains(first.pack().id())) {
      return Optional.ofNullable(first);
    }
    List<ChunkLocation> more = copies.get(chunk);
    if (more != null) {
      for (ChunkLocation location : more) {
        if (!tombstoned.contains(location.pack().id())) {
          return Optional.of(location);
        }
      }
    }
    return Optional.of(first);
  }

  /** Whether a writer may reference the chunk without storing it: it is in a pack no tombstone names. */
  public boolean containsLive(ObjectId chunk) {
    return find(chunk).map(l -> !tombstoned.contains(l.pack().id())).orElse(false);
  }

  public boolean contains(ObjectId chunk) {
    return chunks.containsKey(chunk);
  }

  public int chunkCount() {
    return chunks.size();
  }

  public Collection<PackRef> packs() {
    return packs.values();
  }

  /** One location per chunk (the first added). */
  public Map<ObjectId, ChunkLocation> chunks() {
    return Collections.unmodifiableMap(chunks);
  }
}
