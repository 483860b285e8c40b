package dev.bakare.internal.find;

import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes trees into name index files (layout in docs/design.md, "Name index"). Trees must be added
 * children first: a record may only name subtrees that already have an ordinal. Names are stored once per
 * file, front-coded in the order they first appear (a directory's names arrive sorted, so neighbours share
 * prefixes such as {@code IMG_20}). Each finished file is decoded again (which checks it), appended to the
 * target index and handed to the {@link Sink}. Not thread-safe.
 */
final class SegmentWriter {
  /** Receives each finished file: the cache writes it. */
  interface Sink {
    void accept(NameSegment segment, byte[] plaintext) throws IOException;
  }

  /** A file is closed once its trees hold this many entries, bounding the memory a file takes. */
  static final int ENTRIES_PER_FILE = 1 << 20;

  private final NameIndex target;
  private final Sink sink;
  private final int generation;
  private int sequence;
  private int treeBase;

  private final Map<String, Integer> nameIds = new HashMap<>();
  private final List<byte[]> names = new ArrayList<>();
  private final List<NameSegment.IndexedSnapshot> snapshots = new ArrayList<>();
  private ByteWriter ids = new ByteWriter(4096);
  private ByteWriter trees = new ByteWriter(1 << 16);
  private int treeCount;
  private long entryTotal;

  private final ByteWriter directories = new ByteWriter(256);
  private final ByteWriter entries = new ByteWriter(4096);
  private int directoryCount;
  private int entryCount;
  private long previousSeconds;

  /** Writes the files that continue {@code target}'s chain. */
  SegmentWriter(NameIndex target, Sink sink) {
    this.target = target;
    this.sink = sink;
    this.generation = target.generation();
    this.sequence = target.nextSequence();
    this.treeBase = target.treeCount();
  }

  /** The ordinal the next finished tree gets. */
  int nextOrdinal() {
    return treeBase + treeCount;
  }

  /** Adds an entry to the tree being written. */
  void entry(String name, NodeType type, boolean error, long size, long mtimeSeconds, int mtimeNanos, long fingerprint,
      int subtree) {
    int id = nameIds.computeIfAbsent(name, n -> {
      names.add(n.getBytes(StandardCharsets.UTF_8));
      return names.size() - 1;
    });
    if (type == NodeType.DIRECTORY) {
      directories.varint(id).varint(subtree + 1L);
      directoryCount++;
    }
    entries.varint(id).u8(type.code() | (error ? NameSegment.ERROR_FLAG : 0)).varint(size)
        .zigzag(mtimeSeconds - previousSeconds).varint(mtimeNanos).u64(fingerprint);
    previousSeconds = mtimeSeconds;
    entryCount++;
  }

  /** Finishes the tree whose entries were added since the last call, and returns its ordinal. */
  int endTree(ObjectId id) {
    ByteWriter record = new ByteWriter(directories.size() + entries.size() + 16);
    record.varint(directoryCount).bytes(directories.toByteArray()).varint(entryCount).bytes(entries.toByteArray());
    trees.lengthPrefixed(record.toByteArray());
    id.writeTo(ids);
    entryTotal += entryCount;
    directories.reset();
    entries.reset();
    directoryCount = 0;
    entryCount = 0;
    previousSeconds = 0;
    return treeBase + treeCount++;
  }

  /** Records a snapshot whose trees are all written (here or in earlier files). */
  void snapshot(NameSegment.IndexedSnapshot snapshot) {
    snapshots.add(snapshot);
  }

  /** Finishes the current file if it is full. */
  void flushIfFull() throws IOException {
    if (entryTotal >= ENTRIES_PER_FILE) {
      flush();
    }
  }

  /** Finishes the current file unless it is empty. */
  void finish() throws IOException {
    if (treeCount > 0 || !snapshots.isEmpty()) {
      flush();
    }
  }

  private void flush() throws IOException {
    int fileSequence = sequence;
    int base = treeBase;
    byte[] plaintext = encode();
    NameSegment segment;
    try {
      segment = NameSegment.decode(plaintext, generation, fileSequence, base);
    } catch (CorruptDataException e) {
      throw new IllegalStateException("the name index writer produced a file its reader rejects: " + e.getMessage(), e);
    }
    target.add(segment);
    sink.accept(segment, plaintext);
  }

  /** The plaintext of the file written so far; the writer then starts the next file of the generation. */
  private byte[] encode() {
    ByteWriter out = new ByteWriter(trees.size() + ids.size() + 64 + names.size() * 12);
    out.u8(NameSegment.VERSION).varint(generation).varint(sequence).varint(treeBase)
        .varint(treeCount).varint(names.size()).varint(snapshots.size());
    byte[] previous = new byte[0];
    for (byte[] name : names) {
      int shared = 0;
      int limit = Math.min(previous.length, name.length);
      while (shared < limit && previous[shared] == name[shared]) {
        shared++;
      }
      out.varint(shared).varint(name.length - shared).bytes(name, shared, name.length - shared);
      previous = name;
    }
    for (NameSegment.IndexedSnapshot s : snapshots) {
      s.id().writeTo(out);
      out.zigzag(s.time().getEpochSecond()).varint(s.time().getNano()).string(s.host()).varint(s.root());
    }
    out.bytes(ids.toByteArray());
    out.bytes(trees.toByteArray());
    sequence++;
    treeBase += treeCount;
    treeCount = 0;
    entryTotal = 0;
    nameIds.clear();
    names.clear();
    snapshots.clear();
    ids = new ByteWriter(4096);
    trees = new ByteWriter(1 << 16);
    return out.toByteArray();
  }
}
