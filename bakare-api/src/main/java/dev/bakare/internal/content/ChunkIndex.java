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
import org.jspecify.annotations.Nullable;

/**
 * Which chunks the repository holds and where. A chunk stored more than once (two writers raced, or a
 * writer re-uploaded a chunk whose pack was tombstoned) keeps every location, and lookups prefer one in
 * a pack no tombstone names. Thread-safe.
 */
public final class ChunkIndex {
  private final ConcurrentHashMap<ObjectId, ChunkLocation> chunks;
  private final ConcurrentHashMap<ObjectId, List<ChunkLocation>> copies;
  private final ConcurrentHashMap<ObjectId, PackRef> packs;
  private final Set<ObjectId> tombstoned;
  private final @Nullable Set<ObjectId> present;

  public ChunkIndex() {
    this(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), Set.of(), null);
  }

  private ChunkIndex(ConcurrentHashMap<ObjectId, ChunkLocation> chunks,
      ConcurrentHashMap<ObjectId, List<ChunkLocation>> copies, ConcurrentHashMap<ObjectId, PackRef> packs,
      Set<ObjectId> tombstoned, @Nullable Set<ObjectId> present) {
    this.chunks = chunks;
    this.copies = copies;
    this.packs = packs;
    this.tombstoned = tombstoned;
    this.present = present;
  }

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

  /**
   * A view of this index (sharing its entries, and what is added to either) that knows what the caller
   * listed: the packs tombstones name, and the packs that exist in storage. An index entry can outlive its
   * pack (a writer that a prune abandoned may write its index segment after the prune deleted its packs),
   * so a writer must only deduplicate against packs it saw listed.
   */
  public ChunkIndex withPackStates(Set<ObjectId> tombstonedPacks, Set<ObjectId> presentPacks) {
    return new ChunkIndex(chunks, copies, packs, Set.copyOf(tombstonedPacks), Set.copyOf(presentPacks));
  }

  public boolean isTombstoned(ObjectId pack) {
    return tombstoned.contains(pack);
  }

  private boolean isUsable(ObjectId pack) {
    Set<ObjectId> known = present;
    return !tombstoned.contains(pack) && (known == null || known.contains(pack));
  }

  /**
   * Where to read a chunk: a location in an untombstoned, present pack if there is one, else one in a
   * present pack (a tombstoned pack is still readable), else any. Entries of packs that are gone stay in
   * an index (a late segment of an abandoned backup, or one a crashed sweep did not replace), and may come
   * first.
   */
  public Optional<ChunkLocation> find(ObjectId chunk) {
    ChunkLocation first = chunks.get(chunk);
    if (first == null || isUsable(first.pack().id())) {
      return Optional.ofNullable(first);
    }
    List<ChunkLocation> more = copies.get(chunk);
    if (more == null) {
      return Optional.of(first);
    }
    for (ChunkLocation location : more) {
      if (isUsable(location.pack().id())) {
        return Optional.of(location);
      }
    }
    if (!isPresent(first.pack().id())) {
      for (ChunkLocation location : more) {
        if (isPresent(location.pack().id())) {
          return Optional.of(location);
        }
      }
    }
    return Optional.of(first);
  }

  private boolean isPresent(ObjectId pack) {
    Set<ObjectId> known = present;
    return known == null || known.contains(pack);
  }

  /** Every known location of a chunk. */
  public List<ChunkLocation> locations(ObjectId chunk) {
    ChunkLocation first = chunks.get(chunk);
    if (first == null) {
      return List.of();
    }
    List<ChunkLocation> more = copies.get(chunk);
    if (more == null) {
      return List.of(first);
    }
    List<ChunkLocation> all = new java.util.ArrayList<>(1 + more.size());
    all.add(first);
    all.addAll(more);
    return all;
  }

  /**
   * Whether a writer may reference the chunk without storing it: a copy is in a pack that exists and that
   * no tombstone names.
   */
  public boolean containsLive(ObjectId chunk) {
    return find(chunk).map(l -> isUsable(l.pack().id())).orElse(false);
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
