package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Which chunks the repository holds and where. Thread-safe. */
public final class ChunkIndex {
  private final ConcurrentHashMap<ObjectId, ChunkLocation> chunks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ObjectId, PackRef> packs = new ConcurrentHashMap<>();

  public void add(IndexSegment.IndexedPack pack) {
    PackRef ref = packs.computeIfAbsent(pack.pack().id(), id -> pack.pack());
    for (PackEntry entry : pack.entries()) {
      // A chunk stored twice (two writers raced) keeps its first location; either copy is good.
      chunks.putIfAbsent(entry.id(), ChunkLocation.of(ref, entry));
    }
  }

  public void addAll(IndexSegment segment) {
    for (IndexSegment.IndexedPack pack : segment.packs()) {
      add(pack);
    }
  }

  public Optional<ChunkLocation> find(ObjectId chunk) {
    return Optional.ofNullable(chunks.get(chunk));
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

  public Map<ObjectId, ChunkLocation> chunks() {
    return java.util.Collections.unmodifiableMap(chunks);
  }
}
