package dev.bakare.internal.content;

import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.IntPredicate;
import java.util.zip.Checksum;
import org.jspecify.annotations.Nullable;

/**
 * An open-addressing hash table of chunk locations in a memory-mapped temporary file, so that the index of
 * a repository with tens of millions of chunks costs page cache, not Java heap. 48 bytes a slot:
 *
 * <pre>
 *   id [32] | pack number + 1 [u32, 0 = empty] | offset [u32] | sealed length [u32]
 *   | raw length [u32; bit 31 = tree chunk, bit 30 = zstd]
 * </pre>
 *
 * A chunk may have several slots (one per copy). Linear probing from the id's first eight bytes (ids are
 * uniformly random); the table doubles into a new file at 70% load. Reads run concurrently; inserts take
 * a write lock. A lookup first probes without any lock and keeps what it read if no insert ran meanwhile
 * ({@link #versions}). The file is deleted on close.
 *
 * <p>A table can be written to a file ({@link #writeTo}) and mapped back from it copy-on-write ({@link
 * #mapCopyOnWrite}): what this process adds stays in its memory, the file is never changed.
 */
final class ChunkTable implements AutoCloseable {
  static final int SLOT = 48;
  private static final int SLOTS_PER_WINDOW_BITS = 24;
  private static final int SLOTS_PER_WINDOW = 1 << SLOTS_PER_WINDOW_BITS;
  private static final long MAX_RAW = (1L << 30) - 1;
  private static final int TREE_BIT = 1 << 31;
  private static final int ZSTD_BIT = 1 << 30;
  private static final int NO_SLOT = -1;
  private static final int SEVERAL_SLOTS = -2;

  private final Path directory;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  /**
   * Taken for writing inside {@link #lock}'s write lock around every change, and never for reading: a
   * lookup reads optimistically and validates against it. A backup looks up every chunk of every file,
   * changed or not, from many threads; the read lock's shared counter and per-thread hold counts were a
   * tenth of a no-change backup's walk. Visitors still run with no lock held or with the reentrant one.
   */
  private final StampedLock versions = new StampedLock();
  /** The temporary file this table made and deletes, or null while it is mapped from someone else's file. */
  private @Nullable Path file;
  /** Replaced whole when the table grows, so that a lock-free reader never pairs windows with another capacity. */
  private Layout layout;
  private int count;
  private boolean closed;

  ChunkTable(Path directory, int expected) throws IOException {
    this.directory = directory;
    int capacity = capacityFor(expected);
    Path created = newFile(directory);
    this.file = created;
    this.layout = new Layout(map(created, capacity), capacity);
  }

  private ChunkTable(Path directory, MappedByteBuffer[] windows, int capacity, int count) {
    this.directory = directory;
    this.layout = new Layout(windows, capacity);
    this.count = count;
  }

  /** The table's mapped windows and its number of slots, a power of two. */
  private record Layout(MappedByteBuffer[] windows, int capacity) {
    MappedByteBuffer window(int slot) {
      return windows[slot >>> SLOTS_PER_WINDOW_BITS];
    }
  }

  /**
   * The table of {@code count} entries that {@link #writeTo} wrote at {@code offset} of {@code source}, a
   * channel open for reading and writing (the JDK maps copy-on-write only from such a channel; the file is
   * not changed). Mapped from the channel the caller read the file's header through, so that a file
   * renamed over it meanwhile cannot pair one file's header with another's table. Growing it makes a file
   * in {@code directory}, as a new table does.
   */
  static ChunkTable mapCopyOnWrite(Path directory, FileChannel source, long offset, int capacity, int count)
      throws IOException {
    if (Integer.bitCount(capacity) != 1 || count < 0 || count > capacity * 0.7
        || source.size() < offset + bytesFor(capacity)) {
      throw new IllegalArgumentException("not a table: " + count + " entries in " + capacity + " slots at " + offset
          + " of " + source.size() + " bytes");
    }
    return new ChunkTable(directory, map(source, offset, capacity, FileChannel.MapMode.PRIVATE), capacity, count);
  }

  /** The bytes {@link #writeTo} writes: {@link #SLOT} per slot. */
  static long bytesFor(int capacity) {
    return (long) capacity * SLOT;
  }

  /** How many slots a written table has, and how many of them are taken. */
  record Shape(int capacity, int count) {}

  /**
   * Writes every slot to {@code out} at its position, updating {@code checksum} with the bytes written;
   * returns the shape of what it wrote (read with the slots, so a concurrent insert cannot come between).
   */
  Shape writeTo(FileChannel out, Checksum checksum) throws IOException {
    lock.readLock().lock();
    try {
      checkOpen();
      for (MappedByteBuffer window : layout.windows()) {
        ByteBuffer slots = window.duplicate().clear();
        checksum.update(slots.duplicate());
        while (slots.hasRemaining()) {
          out.write(slots);
        }
      }
      return new Shape(layout.capacity(), count);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Updates {@code checksum} with every slot's bytes, as {@link #writeTo} did when it wrote them. */
  void checksum(Checksum checksum) {
    lock.readLock().lock();
    try {
      checkOpen();
      for (MappedByteBuffer window : layout.windows()) {
        checksum.update(window.duplicate().clear());
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** What one slot holds. */
  interface SlotVisitor {
    void visit(int slot, ObjectId id, int packNumber, long offset, int storedLength, int rawLength, ChunkType type,
        Compression compression);
  }

  int count() {
    lock.readLock().lock();
    try {
      return count;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of slots; slot numbers passed to visitors are below it until the table grows. */
  int capacity() {
    lock.readLock().lock();
    try {
      return layout.capacity();
    } finally {
      lock.readLock().unlock();
    }
  }

  void insert(ObjectId id, int packNumber, long offset, int storedLength, int rawLength, ChunkType type,
      Compression compression) throws IOException {
    if (offset < 0 || offset > 0xFFFF_FFFFL || rawLength < 0 || rawLength > MAX_RAW || storedLength < 0) {
      throw new IllegalArgumentException("chunk location out of range: offset " + offset + ", raw " + rawLength);
    }
    lock.writeLock().lock();
    long version = versions.writeLock();
    try {
      checkOpen();
      if (count + 1 > layout.capacity() * 0.7) {
        grow();
      }
      put(layout, id, packNumber, (int) offset, storedLength, encodeRaw(rawLength, type, compression));
      count++;
    } finally {
      versions.unlockWrite(version);
      lock.writeLock().unlock();
    }
  }

  /** Visits every slot holding {@code id}. */
  void forEachMatch(ObjectId id, SlotVisitor visitor) {
    if (visitOnlyMatch(id, visitor)) {
      return;
    }
    lock.readLock().lock();
    try {
      checkOpen();
      Layout table = layout;
      long h0 = id.prefixLong(0);
      int mask = table.capacity() - 1;
      for (int slot = (int) (h0 & mask); ; slot = (slot + 1) & mask) {
        MappedByteBuffer w = table.window(slot);
        int base = baseOf(slot);
        if (w.getInt(base + 32) == 0) {
          return;
        }
        if (holds(w, base, h0, id)) {
          visitSlot(w, base, slot, id, visitor);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Probes for {@code id} without a lock and, if no change ran meanwhile and at most one slot holds it (a
   * chunk is rarely stored twice), visits that slot, with no lock held, and returns true; otherwise the
   * caller probes under the lock. What a racing insert or growth leaves half-written is read but never
   * used: the slots are mapped memory that stays mapped while this table references it, and the table's
   * windows and capacity are read together.
   */
  private boolean visitOnlyMatch(ObjectId id, SlotVisitor visitor) {
    long version = versions.tryOptimisticRead();
    if (version == 0) {
      return false;
    }
    Layout table = layout;
    int match = onlySlotOf(table, id);
    if (match == SEVERAL_SLOTS) {
      return false;
    }
    int pack = 0;
    int offset = 0;
    int stored = 0;
    int encoded = 0;
    if (match >= 0) {
      MappedByteBuffer w = table.window(match);
      int base = baseOf(match);
      pack = w.getInt(base + 32);
      offset = w.getInt(base + 36);
      stored = w.getInt(base + 40);
      encoded = w.getInt(base + 44);
    }
    if (!versions.validate(version) || closed) {
      return false;
    }
    if (match >= 0) {
      visit(match, id, pack, offset, stored, encoded, visitor);
    }
    return true;
  }

  /**
   * Whether a slot holds {@code id} in a pack that {@code packs} accepts (pack numbers as visitors get them).
   * Allocates nothing where at most one slot holds it: a backup asks for every chunk of every unchanged file.
   */
  boolean holdsIn(ObjectId id, IntPredicate packs) {
    long version = versions.tryOptimisticRead();
    if (version != 0) {
      Layout table = layout;
      int match = onlySlotOf(table, id);
      int pack = match >= 0 ? table.window(match).getInt(baseOf(match) + 32) : 0;
      // Validated before the predicate sees a pack number a racing change may have left half-written.
      if (match != SEVERAL_SLOTS && versions.validate(version) && !closed) {
        return match >= 0 && packs.test(pack - 1);
      }
    }
    boolean[] held = {false};
    forEachMatch(id, (slot, chunk, pack, offset, stored, raw, type, compression) -> held[0] |= packs.test(pack));
    return held[0];
  }

  /**
   * The one slot holding {@code id}, {@link #NO_SLOT} or {@link #SEVERAL_SLOTS}, read without a lock: the
   * caller validates against {@link #versions} before it uses what it read.
   */
  private static int onlySlotOf(Layout table, ObjectId id) {
    long h0 = id.prefixLong(0);
    int mask = table.capacity() - 1;
    int match = NO_SLOT;
    // At most every slot: a table read in the middle of a change might, in theory, look full.
    for (int probes = 0, slot = (int) (h0 & mask); probes <= mask; probes++, slot = (slot + 1) & mask) {
      MappedByteBuffer w = table.window(slot);
      int base = baseOf(slot);
      if (w.getInt(base + 32) == 0) {
        break;
      }
      if (holds(w, base, h0, id)) {
        if (match != NO_SLOT) {
          return SEVERAL_SLOTS;
        }
        match = slot;
      }
    }
    return match;
  }

  /** Where a slot starts in its window. */
  private static int baseOf(int slot) {
    return (slot & (SLOTS_PER_WINDOW - 1)) * SLOT;
  }

  /** Whether the slot at {@code base} holds {@code id}, whose first eight bytes are {@code h0}. */
  private static boolean holds(MappedByteBuffer w, int base, long h0, ObjectId id) {
    return w.getLong(base) == h0 && w.getLong(base + 8) == id.prefixLong(8)
        && w.getLong(base + 16) == id.prefixLong(16) && w.getLong(base + 24) == id.prefixLong(24);
  }

  /** Visits every occupied slot, in table order. */
  void forEach(SlotVisitor visitor) {
    lock.readLock().lock();
    try {
      checkOpen();
      Layout table = layout;
      byte[] raw = new byte[ObjectId.LENGTH];
      for (int slot = 0; slot < table.capacity(); slot++) {
        MappedByteBuffer w = table.window(slot);
        int base = baseOf(slot);
        if (w.getInt(base + 32) != 0) {
          w.get(base, raw);
          visitSlot(w, base, slot, ObjectId.copyOf(raw, 0), visitor);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private static void visitSlot(MappedByteBuffer w, int base, int slot, ObjectId id, SlotVisitor visitor) {
    visit(slot, id, w.getInt(base + 32), w.getInt(base + 36), w.getInt(base + 40), w.getInt(base + 44), visitor);
  }

  /** Visits a slot given its fields as stored. */
  private static void visit(int slot, ObjectId id, int storedPack, int offset, int stored, int encoded,
      SlotVisitor visitor) {
    visitor.visit(slot, id, storedPack - 1, offset & 0xFFFF_FFFFL, stored, encoded & (int) MAX_RAW,
        (encoded & TREE_BIT) != 0 ? ChunkType.TREE : ChunkType.DATA,
        (encoded & ZSTD_BIT) != 0 ? Compression.ZSTD : Compression.NONE);
  }

  private static int encodeRaw(int rawLength, ChunkType type, Compression compression) {
    return rawLength | (type == ChunkType.TREE ? TREE_BIT : 0) | (compression == Compression.ZSTD ? ZSTD_BIT : 0);
  }

  private static void put(Layout table, ObjectId id, int packNumber, int offset, int stored, int encodedRaw) {
    long h0 = id.prefixLong(0);
    int mask = table.capacity() - 1;
    for (int slot = (int) (h0 & mask); ; slot = (slot + 1) & mask) {
      MappedByteBuffer w = table.window(slot);
      int base = baseOf(slot);
      if (w.getInt(base + 32) == 0) {
        w.putLong(base, h0);
        w.putLong(base + 8, id.prefixLong(8));
        w.putLong(base + 16, id.prefixLong(16));
        w.putLong(base + 24, id.prefixLong(24));
        w.putInt(base + 36, offset);
        w.putInt(base + 40, stored);
        w.putInt(base + 44, encodedRaw);
        // Written last: a slot becomes visible to probing only when complete.
        w.putInt(base + 32, packNumber + 1);
        return;
      }
    }
  }

  private void grow() throws IOException {
    Layout old = layout;
    int newCapacity = old.capacity() * 2;
    Path newFile = newFile(directory);
    Layout grown = new Layout(map(newFile, newCapacity), newCapacity);
    for (int slot = 0; slot < old.capacity(); slot++) {
      MappedByteBuffer w = old.window(slot);
      int base = baseOf(slot);
      int pack = w.getInt(base + 32);
      if (pack != 0) {
        byte[] raw = new byte[ObjectId.LENGTH];
        w.get(base, raw);
        put(grown, ObjectId.wrap(raw), pack - 1, w.getInt(base + 36), w.getInt(base + 40), w.getInt(base + 44));
      }
    }
    if (file != null) {
      deleteQuietly(file);
    }
    file = newFile;
    layout = grown;
  }

  private static int capacityFor(int expected) {
    long wanted = Math.max(1024, (long) (expected / 0.7) + 1);
    long capacity = Long.highestOneBit(wanted - 1) << 1;
    if (capacity > (1L << 30)) {
      throw new IllegalStateException("chunk index would exceed 2^30 slots");
    }
    return (int) capacity;
  }

  private static Path newFile(Path directory) throws IOException {
    try {
      Files.createDirectories(directory);
      Path file = Files.createTempFile(directory, "chunk-index-", ".tmp");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new IOException("cannot create the chunk index file in " + directory
          + ": check that the cache directory is writable (RepositoryOptions.cacheDirectory)", e);
    }
  }

  /** Maps a new table file read-write, extending it to the table's size. */
  private static MappedByteBuffer[] map(Path file, int capacity) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return map(channel, 0, capacity, FileChannel.MapMode.READ_WRITE);
    } catch (IOException e) {
      throw new IOException("cannot map the chunk index file " + file + " (" + bytesFor(capacity)
          + " bytes): check free disk space in the cache directory", e);
    }
  }

  private static MappedByteBuffer[] map(FileChannel channel, long offset, int capacity, FileChannel.MapMode mode)
      throws IOException {
    int windowCount = (int) (((long) capacity + SLOTS_PER_WINDOW - 1) / SLOTS_PER_WINDOW);
    MappedByteBuffer[] windows = new MappedByteBuffer[windowCount];
    for (int i = 0; i < windowCount; i++) {
      long slots = Math.min(SLOTS_PER_WINDOW, (long) capacity - (long) i * SLOTS_PER_WINDOW);
      windows[i] = channel.map(mode, offset + (long) i * SLOTS_PER_WINDOW * SLOT, slots * SLOT);
    }
    return windows;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the chunk index is closed");
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    long version = versions.writeLock();
    try {
      if (!closed) {
        closed = true;
        if (file != null) {
          deleteQuietly(file);
        }
      }
    } finally {
      versions.unlockWrite(version);
      lock.writeLock().unlock();
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A temporary file left behind costs disk until the next start clears the cache directory's temp files.
      System.getLogger(ChunkTable.class.getName()).log(System.Logger.Level.WARNING,
          "could not delete " + file + ": " + e.getMessage());
    }
  }
}
