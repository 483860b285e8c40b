package dev.bakare.internal.find;

import dev.bakare.internal.concurrent.DaemonThreads;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Writes the files of the name index (layout in docs/design.md, "Name index"). Trees come children first,
 * each as its entries and then {@link #endTree}; the writer gives it the next ordinal. Entries are filed
 * under their name: identical entries (same name, kind, size, time and content) of different trees share
 * one <i>version</i> that lists the trees, so a directory that changed in one file stores one new version
 * and a tree number for each unchanged file. A file is finished once it holds as many versions or entries
 * as the memory budget allows ({@link #versionsPerFile}): names sorted and front-coded, postings cut into
 * blocks of about {@link #BLOCK_SIZE} bytes, each sealed on its own, so a search opens only the blocks of
 * names that can match. Files are encoded on a thread of the writer's own while the next one fills. Not
 * thread-safe.
 */
final class NameFileWriter implements AutoCloseable {
  /**
   * The most versions a file holds, however large the budget: 2^21 keeps 100 snapshots of a million files
   * in one file, which the first search loads fastest.
   */
  static final int MAX_VERSIONS_PER_FILE = 1 << 21;
  /** The fewest, however small the budget: below this, files multiply faster than memory shrinks. */
  static final int MIN_VERSIONS_PER_FILE = 1 << 16;
  /**
   * Heap a version takes at the peak of a build, measured: about 40 bytes in the tables of the file being
   * filled, as much again in the equally sized tables of the next one, the file being encoded and its
   * encoding's copies; the peak of 2^21 versions was 640 MiB, garbage included (FindScale build).
   */
  static final int PEAK_BYTES_PER_VERSION = 320;
  /**
   * Entries are a file's cheap part (8 bytes each while built), and a version found in several files is
   * stored in each, so a file may hold this many times more entries than versions.
   */
  static final int ENTRIES_PER_VERSION = 4;

  /** Versions per file for a build that may use half of {@code memoryBudget} (the search needs the rest). */
  static int versionsPerFile(long memoryBudget) {
    long fit = memoryBudget / 2 / PEAK_BYTES_PER_VERSION;
    return (int) Math.max(MIN_VERSIONS_PER_FILE, Math.min(MAX_VERSIONS_PER_FILE, fit));
  }
  /** The plaintext size posting blocks are cut at (between names). */
  static final int BLOCK_SIZE = 64 << 10;

  /** A finished file's plaintext parts, for the cache to seal and write. */
  record Encoded(int generation, int sequence, byte[] head, byte[][] blocks, byte[] ids) {}

  /** Receives each finished file. */
  interface Sink {
    void accept(NameFile file, Encoded encoded) throws IOException;
  }

  private final NameIndex target;
  private final Sink sink;
  private final int versionsPerFile;
  private final int generation;
  private int sequence;
  private int treeBase;

  // Names, with ids in the order they first appear. The open-addressed table holds (hash << 32 | id + 1),
  // so a probe compares hashes without touching the names.
  private byte[] arena = new byte[1 << 16];
  private int arenaSize;
  private int[] nameAt = new int[1024];
  private int[] nameLength = new int[1024];
  private int nameCount;
  private long[] nameSlots = new long[2048];

  // Versions, VERSION_FIELDS longs each so that one lies in one or two cache lines: (name << 8 | kind),
  // size, time, fingerprint; found through a table like the names'.
  private static final int VERSION_FIELDS = 4;
  private long[] versions = new long[1024 * VERSION_FIELDS];
  private int versionCount;
  private long[] versionSlots = new long[2048];

  // Each entry refers its version to its tree; appended in tree order, grouped by version when written.
  private int[] refVersion = new int[1024];
  private int[] refTree = new int[1024];
  private int refCount;

  // Trees: their subdirectories (name, subtree ordinal), and their ids.
  private int treeCount;
  private int[] treeDirectories = new int[1025];
  private int[] directoryName = new int[1024];
  private int[] directorySubtree = new int[1024];
  private int directoryCount;
  private ByteWriter ids = new ByteWriter(1 << 12);
  private final List<NameFile.IndexedSnapshot> snapshots = new ArrayList<>();

  private final ExecutorService encoder = Executors.newSingleThreadExecutor(DaemonThreads.named("bakare-name-index-writer"));
  private @Nullable Future<Finished> encoding;

  /**
   * Writes the files that continue {@code target}'s chain, each of at most {@code versionsPerFile} versions;
   * each is added to {@code target} as it is finished.
   */
  NameFileWriter(NameIndex target, Sink sink, int versionsPerFile) {
    this.target = target;
    this.sink = sink;
    this.versionsPerFile = versionsPerFile;
    this.generation = target.generation();
    this.sequence = target.nextSequence();
    this.treeBase = target.treeCount();
  }

  /** The ordinal the tree being written gets. */
  int nextOrdinal() {
    return treeBase + treeCount;
  }

  /**
   * Adds an entry of the tree being written.
   *
   * @param kind the node type code, with {@link NameFile#ERROR_FLAG} if its content is missing
   * @param subtree a directory's subtree ordinal (written before), or -1
   */
  void entry(byte[] name, int at, int length, int kind, long size, long mtime, long fingerprint, int subtree) {
    int nameHash = nameHash(name, at, length);
    entry(name, at, length, nameHash, versionHash(nameHash, kind, size, mtime, fingerprint), kind, size, mtime,
        fingerprint, subtree);
  }

  /**
   * {@link #entry(byte[], int, int, int, long, long, long, int)} with the hashes of {@link #nameHash} and
   * {@link #versionHash} computed by the caller: the builder computes them on its reading threads.
   */
  void entry(byte[] name, int at, int length, int nameHash, int versionHash, int kind, long size, long mtime,
      long fingerprint, int subtree) {
    int id = nameId(name, at, length, nameHash);
    if (subtree >= 0) {
      if (directoryCount == directoryName.length) {
        directoryName = Arrays.copyOf(directoryName, directoryCount * 2);
        directorySubtree = Arrays.copyOf(directorySubtree, directoryCount * 2);
      }
      directoryName[directoryCount] = id;
      directorySubtree[directoryCount++] = subtree;
    }
    int version = versionId(id, versionHash, kind, size, mtime, fingerprint);
    if (refCount == refTree.length) {
      refTree = Arrays.copyOf(refTree, refCount * 2);
      refVersion = Arrays.copyOf(refVersion, refCount * 2);
    }
    refVersion[refCount] = version;
    refTree[refCount++] = treeBase + treeCount;
  }

  /** Finishes the tree whose entries were added since the last call, and returns its ordinal. */
  int endTree(ObjectId id) {
    if (treeCount + 1 == treeDirectories.length) {
      treeDirectories = Arrays.copyOf(treeDirectories, treeDirectories.length * 2);
    }
    treeDirectories[++treeCount] = directoryCount;
    id.writeTo(ids);
    return treeBase + treeCount - 1;
  }

  /** Records a snapshot whose trees are all written (in this file or earlier ones). */
  void snapshot(NameFile.IndexedSnapshot snapshot) {
    snapshots.add(snapshot);
  }

  /** Finishes the current file if it is full. */
  void flushIfFull() throws IOException {
    if (versionCount >= versionsPerFile || refCount >= (long) versionsPerFile * ENTRIES_PER_VERSION) {
      flush();
    }
  }

  /** Finishes the current file unless it is empty, and waits until every file is written. */
  void finish() throws IOException {
    if (treeCount > 0 || !snapshots.isEmpty()) {
      flush();
    }
    awaitEncoding();
  }

  // ---- tables ----

  /** The hash the name table files a name under. */
  static int nameHash(byte[] bytes, int at, int length) {
    int hash = 0x811C9DC5;
    for (int i = at; i < at + length; i++) {
      hash = (hash ^ (bytes[i] & 0xFF)) * 0x01000193;
    }
    return mix(hash);
  }

  /** The hash the version table files an entry under. */
  static int versionHash(int nameHash, int kind, long size, long mtime, long fingerprint) {
    long h = ScannedTree.mix(fingerprint ^ ScannedTree.mix(size * 31 + mtime) ^ ((long) nameHash << 8 | kind));
    return (int) (h ^ (h >>> 32));
  }

  private int nameId(byte[] bytes, int at, int length, int hash) {
    int mask = nameSlots.length - 1;
    int slot = hash & mask;
    for (long entry; (entry = nameSlots[slot]) != 0; slot = (slot + 1) & mask) {
      int id = (int) entry - 1;
      if ((int) (entry >>> 32) == hash && nameLength[id] == length
          && Arrays.equals(arena, nameAt[id], nameAt[id] + length, bytes, at, at + length)) {
        return id;
      }
    }
    if (arenaSize + length > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + length));
    }
    System.arraycopy(bytes, at, arena, arenaSize, length);
    if (nameCount == nameAt.length) {
      nameAt = Arrays.copyOf(nameAt, nameCount * 2);
      nameLength = Arrays.copyOf(nameLength, nameCount * 2);
    }
    int id = nameCount++;
    nameAt[id] = arenaSize;
    nameLength[id] = length;
    arenaSize += length;
    nameSlots = add(nameSlots, slot, nameCount, hash, id);
    return id;
  }

  private int versionId(int name, int hash, int kind, long size, long mtime, long fingerprint) {
    long nameAndKind = (long) name << 8 | kind;
    int mask = versionSlots.length - 1;
    int slot = hash & mask;
    for (long entry; (entry = versionSlots[slot]) != 0; slot = (slot + 1) & mask) {
      int id = (int) entry - 1;
      int at = id * VERSION_FIELDS;
      if ((int) (entry >>> 32) == hash && versions[at] == nameAndKind && versions[at + 1] == size
          && versions[at + 2] == mtime && versions[at + 3] == fingerprint) {
        return id;
      }
    }
    if ((versionCount + 1) * VERSION_FIELDS > versions.length) {
      versions = Arrays.copyOf(versions, versions.length * 2);
    }
    int id = versionCount++;
    int at = id * VERSION_FIELDS;
    versions[at] = nameAndKind;
    versions[at + 1] = size;
    versions[at + 2] = mtime;
    versions[at + 3] = fingerprint;
    versionSlots = add(versionSlots, slot, versionCount, hash, id);
    return id;
  }

  private static int mix(int hash) {
    int h = hash * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /**
   * Files {@code id} under {@code hash} in {@code emptySlot}, where its lookup ended; or, if that leaves the
   * table over half full, in a table twice the size.
   */
  private static long[] add(long[] slots, int emptySlot, int count, int hash, int id) {
    long entry = (long) hash << 32 | (id + 1L);
    if (count * 2 <= slots.length) {
      slots[emptySlot] = entry;
      return slots;
    }
    long[] table = new long[slots.length * 2];
    for (long old : slots) {
      if (old != 0) {
        insert(table, old);
      }
    }
    insert(table, entry);
    return table;
  }

  private static void insert(long[] slots, long entry) {
    int mask = slots.length - 1;
    int slot = (int) (entry >>> 32) & mask;
    while (slots[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    slots[slot] = entry;
  }

  // ---- encoding ----

  /**
   * Hands the tables of the current file to the encoding thread and starts new ones, so that the walk
   * goes on while a file is sorted, encoded and checked. One file is encoded at a time: each is added to
   * the index, and to the cache, in order.
   */
  private void flush() throws IOException {
    awaitEncoding();
    Pending full = new Pending(generation, sequence, treeBase, arena, nameAt, nameLength, nameCount, versions,
        versionCount, refVersion, refTree, refCount, treeCount, treeDirectories, directoryName, directorySubtree,
        directoryCount, ids.toByteArray(), List.copyOf(snapshots));
    sequence++;
    treeBase += treeCount;
    reset();
    encoding = encoder.submit(full::encode);
  }

  /** Waits for the file being encoded, then adds it to the index and hands it to the sink. */
  private void awaitEncoding() throws IOException {
    Future<Finished> pending = encoding;
    if (pending == null) {
      return;
    }
    encoding = null;
    Finished finished;
    try {
      finished = pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while a name index file was encoded");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("encoding a name index file failed: " + e.getCause(), e.getCause());
    }
    target.add(finished.file());
    sink.accept(finished.file(), finished.encoded());
  }

  /** New tables for the next file, as large as the last ones (files are alike). */
  private void reset() {
    arena = new byte[arena.length];
    arenaSize = 0;
    nameAt = new int[nameAt.length];
    nameLength = new int[nameLength.length];
    nameCount = 0;
    nameSlots = new long[nameSlots.length];
    versions = new long[versions.length];
    versionCount = 0;
    versionSlots = new long[versionSlots.length];
    refVersion = new int[refVersion.length];
    refTree = new int[refTree.length];
    refCount = 0;
    treeCount = 0;
    treeDirectories = new int[treeDirectories.length];
    directoryName = new int[directoryName.length];
    directorySubtree = new int[directorySubtree.length];
    directoryCount = 0;
    ids = new ByteWriter(1 << 12);
    snapshots.clear();
  }

  @Override
  public void close() {
    encoder.shutdownNow();
  }

  /** A finished file, checked by decoding its head again. */
  private record Finished(NameFile file, Encoded encoded) {}

  /** The tables of one file, handed over to be encoded; the writer no longer touches them. */
  private record Pending(int generation, int sequence, int treeBase, byte[] arena, int[] nameAt, int[] nameLength,
      int nameCount, long[] versions, int versionCount, int[] refVersion, int[] refTree, int refCount, int treeCount,
      int[] treeDirectories, int[] directoryName, int[] directorySubtree, int directoryCount, byte[] ids,
      List<NameFile.IndexedSnapshot> snapshots) {

    // One method per pass. Encode runs once per file, so its loops are compiled while they run (on-stack
    // replacement), and each such compilation covers the whole method it is in.
    Finished encode() {
      int[] sorted = sortedNames();
      int[] rank = new int[nameCount];
      for (int i = 0; i < nameCount; i++) {
        rank[sorted[i]] = i;
      }
      NameOrder order = nameOrder(rank);
      Postings postings = postings(order);
      byte[] head = head(sorted, rank, postings);
      Encoded encoded = new Encoded(generation, sequence, head, postings.blocks.toArray(byte[][]::new), ids);
      NameFile file;
      try {
        file = NameFile.open(encoded.head(), NameFile.inMemory(encoded.blocks(), encoded.ids()), generation, sequence,
            treeBase);
      } catch (CorruptDataException e) {
        throw new IllegalStateException("the name index writer produced a file its reader rejects: " + e.getMessage(), e);
      }
      return new Finished(file, encoded);
    }

    /**
     * Versions grouped by name rank ({@code start[rank]} to {@code start[rank + 1]}), each name's in the order
     * they appeared (their first trees ascending), with their fields copied into that order; references
     * grouped the same way ({@code refStart}), each version's in tree order.
     */
    private record NameOrder(int[] start, long[] versions, int[] refStart, int[] refs) {}

    // Copied so that the postings loop reads versions and references sequentially: read where the walk
    // appended them, each version missed the cache. Scattering writes does not stall.
    private NameOrder nameOrder(int[] rank) {
      int[] start = new int[nameCount + 1];
      for (int v = 0; v < versionCount; v++) {
        start[rank[(int) (versions[v * VERSION_FIELDS] >>> 8)] + 1]++;
      }
      for (int i = 0; i < nameCount; i++) {
        start[i + 1] += start[i];
      }
      int[] position = new int[versionCount];
      long[] ordered = new long[versionCount * VERSION_FIELDS];
      int[] fill = Arrays.copyOf(start, nameCount);
      for (int v = 0; v < versionCount; v++) {
        int at = v * VERSION_FIELDS;
        int p = fill[rank[(int) (versions[at] >>> 8)]]++;
        position[v] = p;
        System.arraycopy(versions, at, ordered, p * VERSION_FIELDS, VERSION_FIELDS);
      }
      int[] refStart = new int[versionCount + 1];
      for (int r = 0; r < refCount; r++) {
        refStart[position[refVersion[r]] + 1]++;
      }
      for (int v = 0; v < versionCount; v++) {
        refStart[v + 1] += refStart[v];
      }
      int[] refs = new int[refCount];
      int[] refFill = Arrays.copyOf(refStart, versionCount);
      for (int r = 0; r < refCount; r++) {
        refs[refFill[position[refVersion[r]]]++] = refTree[r];
      }
      return new NameOrder(start, ordered, refStart, refs);
    }

    /** The postings blocks, which name each starts with, and each name's postings length. */
    private record Postings(List<byte[]> blocks, List<Integer> blockFirstName, int[] lengths, long totalLength) {}

    private Postings postings(NameOrder order) {
      List<byte[]> blocks = new ArrayList<>();
      List<Integer> blockFirstName = new ArrayList<>();
      int[] lengths = new int[nameCount];
      ByteWriter block = new ByteWriter(BLOCK_SIZE + 4096);
      long total = 0;
      for (int n = 0; n < nameCount; n++) {
        if (block.size() >= BLOCK_SIZE) {
          blocks.add(block.toByteArray());
          block.reset();
        }
        if (block.size() == 0) {
          blockFirstName.add(n);
        }
        int before = block.size();
        writePostings(block, order, order.start[n], order.start[n + 1]);
        lengths[n] = block.size() - before;
        total += lengths[n];
      }
      if (block.size() > 0) {
        blocks.add(block.toByteArray());
      }
      return new Postings(blocks, blockFirstName, lengths, total);
    }

    /** One name's versions, {@code from} to {@code to} in name order, each with its trees. */
    private void writePostings(ByteWriter block, NameOrder order, int from, int to) {
      long[] ordered = order.versions;
      block.varint(to - from);
      long previousTime = 0;
      for (int i = from; i < to; i++) {
        int at = i * VERSION_FIELDS;
        block.u8((int) ordered[at] & 0xFF).varint(ordered[at + 1]).zigzag(ordered[at + 2] - previousTime)
            .u64(ordered[at + 3]);
        previousTime = ordered[at + 2];
        int refsFrom = order.refStart[i];
        int refsTo = order.refStart[i + 1];
        block.varint(refsTo - refsFrom);
        int previousTree = treeBase - 1;
        for (int r = refsFrom; r < refsTo; r++) {
          block.varint(order.refs[r] - previousTree - 1L);
          previousTree = order.refs[r];
        }
      }
    }

    private byte[] head(int[] sorted, int[] rank, Postings postings) {
      ByteWriter head = new ByteWriter(nameCount * 12 + directoryCount * 6 + treeCount * 2 + 256);
      head.u8(NameFile.VERSION).varint(generation).varint(sequence).varint(treeBase).varint(treeCount).varint(nameCount)
          .varint(snapshots.size()).varint(postings.blocks.size()).varint(postings.totalLength);
      writeNames(head, sorted);
      for (int length : postings.lengths) {
        head.varint(length);
      }
      for (int b = 0; b < postings.blocks.size(); b++) {
        head.varint(postings.blockFirstName.get(b)).varint(postings.blocks.get(b).length);
      }
      for (NameFile.IndexedSnapshot s : snapshots) {
        s.id().writeTo(head);
        head.zigzag(s.time().getEpochSecond()).varint(s.time().getNano()).string(s.host()).varint(s.root());
      }
      writeTrees(head, rank);
      return head.toByteArray();
    }

    /** The names in order, front-coded: bytes shared with the previous name, then the rest. */
    private void writeNames(ByteWriter head, int[] sorted) {
      int previousAt = 0;
      int previousLength = 0;
      for (int n = 0; n < nameCount; n++) {
        int id = sorted[n];
        int shared = 0;
        int limit = Math.min(previousLength, nameLength[id]);
        while (shared < limit && arena[previousAt + shared] == arena[nameAt[id] + shared]) {
          shared++;
        }
        head.varint(shared).varint(nameLength[id] - shared).bytes(arena, nameAt[id] + shared, nameLength[id] - shared);
        previousAt = nameAt[id];
        previousLength = nameLength[id];
      }
    }

    /** Each tree's subdirectories: name rank and subtree ordinal. */
    private void writeTrees(ByteWriter head, int[] rank) {
      for (int t = 0; t < treeCount; t++) {
        head.varint(treeDirectories[t + 1] - treeDirectories[t]);
        for (int d = treeDirectories[t]; d < treeDirectories[t + 1]; d++) {
          head.varint(rank[directoryName[d]]).varint(directorySubtree[d] + 1L);
        }
      }
    }

    /** Name ids in ascending order of their bytes (unsigned), by merge sort. */
    private int[] sortedNames() {
      int[] ids = new int[nameCount];
      for (int i = 0; i < nameCount; i++) {
        ids[i] = i;
      }
      int[] buffer = new int[nameCount];
      for (int width = 1; width < nameCount; width *= 2) {
        for (int lo = 0; lo < nameCount; lo += 2 * width) {
          int mid = Math.min(lo + width, nameCount);
          int hi = Math.min(lo + 2 * width, nameCount);
          int a = lo;
          int b = mid;
          for (int k = lo; k < hi; k++) {
            buffer[k] = a < mid && (b >= hi || compareNames(ids[a], ids[b]) <= 0) ? ids[a++] : ids[b++];
          }
        }
        int[] swap = ids;
        ids = buffer;
        buffer = swap;
      }
      return ids;
    }

    private int compareNames(int a, int b) {
      return Arrays.compareUnsigned(arena, nameAt[a], nameAt[a] + nameLength[a], arena, nameAt[b], nameAt[b] + nameLength[b]);
    }
  }
}
