package dev.bakare.internal.content;

import dev.bakare.internal.format.CompactIdSet;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Which chunks the repository holds and where: chunk locations in an off-heap {@link ChunkTable}, packs
 * (id and ephemeral key, 64 bytes each) on the heap. A chunk stored more than once keeps every location.
 *
 * <p>A <em>view</em> ({@link #withPackStates}) shares the entries but knows which packs its caller may rely
 * on: a writer must deduplicate only against packs it saw in the storage listing and no tombstone names
 * (an index entry can outlive its pack), plus the packs it uploaded itself ({@link #addOwn}). Lookups prefer
 * such packs. The unrestricted index treats every pack as usable. Thread-safe.
 */
public final class ChunkIndex implements AutoCloseable {
  private final Entries entries;
  private final @Nullable BitSet usableAtView;
  private final int packsAtView;
  private final Set<Integer> ownPacks;
  /** {@link #isUsable(int)} made once: {@link #containsLive} runs for every chunk of every unchanged file. */
  private final IntPredicate usablePack = this::isUsable;

  private ChunkIndex(Entries entries, @Nullable BitSet usableAtView, int packsAtView, Set<Integer> ownPacks) {
    this.entries = entries;
    this.usableAtView = usableAtView;
    this.packsAtView = packsAtView;
    this.ownPacks = ownPacks;
  }

  /** An empty index whose table lives in a temporary file in {@code directory}. */
  public static ChunkIndex create(Path directory) throws IOException {
    return create(directory, 1024);
  }

  /** An empty index sized for about {@code expectedChunks}, so that loading it need not grow the table. */
  public static ChunkIndex create(Path directory, long expectedChunks) throws IOException {
    int expected = (int) Math.min(Math.max(1024, expectedChunks), 700_000_000L);
    return new ChunkIndex(new Entries(new ChunkTable(directory, expected)), null, 0, ConcurrentHashMap.newKeySet());
  }

  /** An index of {@code table}'s entries, whose pack numbers are positions in {@code packs}. */
  static ChunkIndex of(ChunkTable table, List<PackRef> packs) {
    Entries entries = new Entries(table);
    for (PackRef pack : packs) {
      entries.packIds.add(pack.id());
      entries.packs.add(pack);
    }
    return new ChunkIndex(entries, null, 0, ConcurrentHashMap.newKeySet());
  }

  /** The table all views share. */
  ChunkTable table() {
    return entries.table;
  }

  /** Every pack, in the order of their numbers. */
  List<PackRef> packs() {
    int count = entries.packs.size();
    List<PackRef> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      all.add(entries.packs.ref(i));
    }
    return all;
  }

  /** The shared state of an index and its views. */
  private static final class Entries {
    final ChunkTable table;
    final PackList packs = new PackList();
    /** Packs already in, so that a pack listed again (another segment, our own upload) is added once. */
    final CompactIdSet packIds = new CompactIdSet();

    Entries(ChunkTable table) {
      this.table = table;
    }
  }

  /** Packs by number, 64 bytes each in blocks, so a million packs cost 64 MB of arrays and no objects. */
  private static final class PackList {
    private static final int PER_BLOCK = 1024;
    /**
     * References made lately, by pack number modulo this: a reader asks for the same few packs chunk after
     * chunk, and a new reference per chunk was 9% of what a restore of 300,000 small files allocated.
     */
    private static final int RECENT_REFS = 64;
    private final List<byte[]> blocks = new ArrayList<>();
    private final @Nullable PackRef[] recentRefs = new PackRef[RECENT_REFS];
    private final int[] recentNumbers = new int[RECENT_REFS];
    private int size;

    synchronized int add(PackRef pack) {
      if (size % PER_BLOCK == 0) {
        blocks.add(new byte[PER_BLOCK * 64]);
      }
      byte[] block = blocks.get(size / PER_BLOCK);
      int at = (size % PER_BLOCK) * 64;
      pack.id().copyTo(block, at);
      System.arraycopy(pack.ephemeralPublic(), 0, block, at + 32, 32);
      return size++;
    }

    synchronized int size() {
      return size;
    }

    synchronized int number(ObjectId pack) {
      for (int i = 0; i < size; i++) {
        if (id(i).equals(pack)) {
          return i;
        }
      }
      throw new IllegalStateException("pack " + pack + " is not in the index");
    }

    synchronized ObjectId id(int number) {
      return ObjectId.copyOf(blocks.get(number / PER_BLOCK), (number % PER_BLOCK) * 64);
    }

    synchronized PackRef ref(int number) {
      int slot = number & (RECENT_REFS - 1);
      PackRef cached = recentRefs[slot];
      if (cached != null && recentNumbers[slot] == number) {
        return cached;
      }
      byte[] block = blocks.get(number / PER_BLOCK);
      int at = (number % PER_BLOCK) * 64;
      PackRef ref = new PackRef(ObjectId.copyOf(block, at), java.util.Arrays.copyOfRange(block, at + 32, at + 64));
      recentRefs[slot] = ref;
      recentNumbers[slot] = number;
      return ref;
    }
  }

  /** Adds a pack and its chunks unless it is in already; returns the pack's number, or -1 if it was in. */
  private int insert(IndexSegment.IndexedPack pack) throws IOException {
    synchronized (entries.packIds) {
      if (!entries.packIds.add(pack.pack().id())) {
        return -1;
      }
    }
    int number = entries.packs.add(pack.pack());
    for (PackEntry e : pack.entries()) {
      entries.table.insert(e.id(), number, e.offset(), e.storedLength(), e.rawLength(), e.type(), e.compression());
    }
    return number;
  }

  public void add(IndexSegment.IndexedPack pack) throws IOException {
    insert(pack);
  }

  public void addAll(IndexSegment segment) throws IOException {
    for (IndexSegment.IndexedPack pack : segment.packs()) {
      insert(pack);
    }
  }

  /** Adds a pack this view's owner uploaded: usable in this view whatever its listing said. */
  public void addOwn(IndexSegment.IndexedPack pack) throws IOException {
    int number = insert(pack);
    if (number < 0) {
      number = entries.packs.number(pack.pack().id());
    }
    ownPacks.add(number);
  }

  /**
   * A view that relies only on packs for which {@code present} holds and {@code tombstoned} does not, as
   * the caller listed them; packs added later are relied on only if added through {@link #addOwn}.
   */
  public ChunkIndex withPackStates(Predicate<ObjectId> tombstoned, Predicate<ObjectId> present) {
    int count = entries.packs.size();
    BitSet usable = new BitSet(count);
    for (int i = 0; i < count; i++) {
      ObjectId pack = entries.packs.id(i);
      if (present.test(pack) && !tombstoned.test(pack)) {
        usable.set(i);
      }
    }
    return new ChunkIndex(entries, usable, count, ConcurrentHashMap.newKeySet());
  }

  private boolean isUsable(int packNumber) {
    BitSet usable = usableAtView;
    if (usable == null) {
      return true;
    }
    return packNumber < packsAtView ? usable.get(packNumber) : ownPacks.contains(packNumber);
  }

  /** Whether this view relies on the pack. */
  public boolean isUsable(ObjectId pack) {
    int count = entries.packs.size();
    for (int i = 0; i < count; i++) {
      if (isUsable(i) && entries.packs.id(i).equals(pack)) {
        return true;
      }
    }
    return false;
  }

  /** Where to read a chunk: a copy in a usable pack if there is one, else any. */
  public Optional<ChunkLocation> find(ObjectId chunk) {
    ChunkLocation[] best = new ChunkLocation[1];
    boolean[] bestUsable = {false};
    entries.table.forEachMatch(chunk, (slot, id, pack, offset, stored, raw, type, compression) -> {
      boolean usable = isUsable(pack);
      if (best[0] == null || (usable && !bestUsable[0])) {
        best[0] = new ChunkLocation(entries.packs.ref(pack), type, compression, offset, stored, raw);
        bestUsable[0] = usable;
      }
    });
    return Optional.ofNullable(best[0]);
  }

  /** Every known location of a chunk. */
  public List<ChunkLocation> locations(ObjectId chunk) {
    List<ChunkLocation> all = new ArrayList<>(1);
    entries.table.forEachMatch(chunk, (slot, id, pack, offset, stored, raw, type, compression) ->
        all.add(new ChunkLocation(entries.packs.ref(pack), type, compression, offset, stored, raw)));
    return all;
  }

  /** Whether a copy of the chunk lies in a pack this view relies on: a writer may reference it unstored. */
  public boolean containsLive(ObjectId chunk) {
    return entries.table.holdsIn(chunk, usablePack);
  }

  public boolean contains(ObjectId chunk) {
    return entries.table.holdsIn(chunk, pack -> true);
  }

  /** Locations in the index (a chunk stored twice counts twice). */
  public int chunkCount() {
    return entries.table.count();
  }

  /** Visits every location; a chunk stored twice is visited twice. */
  public void forEach(BiConsumer<ObjectId, ChunkLocation> visitor) {
    entries.table.forEach((slot, id, pack, offset, stored, raw, type, compression) ->
        visitor.accept(id, new ChunkLocation(entries.packs.ref(pack), type, compression, offset, stored, raw)));
  }

  /** Whether the index lists the pack. */
  public boolean containsPack(ObjectId packId) {
    synchronized (entries.packIds) {
      return entries.packIds.contains(packId);
    }
  }

  /** The pack of that id, if the index lists it. */
  public Optional<PackRef> pack(ObjectId packId) {
    int count = entries.packs.size();
    for (int i = 0; i < count; i++) {
      if (entries.packs.id(i).equals(packId)) {
        return Optional.of(entries.packs.ref(i));
      }
    }
    return Optional.empty();
  }

  /** Deletes the table's file. Views share it: close only the index, not its views. */
  @Override
  public void close() {
    entries.table.close();
  }
}
