package dev.bakare.internal.find;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One file of the name index (layout in docs/design.md, "Name index"), as a search uses it: the
 * <i>head</i> (the file's names, its trees' subdirectories, its snapshots, where each name's postings
 * lie) decoded at once; the <i>postings</i> (every version of every name, with the trees holding it) in
 * blocks read and checked only when a name that can match needs them; the tree ids only when the index is
 * extended. Everything read is checked before use, so a wrong file fails with {@link
 * CorruptDataException} and is rebuilt, and the readers ({@link PostingCursor}, {@link #directories})
 * need no checks of their own. Not thread-safe.
 */
final class NameFile implements AutoCloseable {
  static final int VERSION = 1;
  static final int MAX_NAME = 4096;
  /** Entry kind byte: the node type code in the low three bits, and this bit for an entry with an error. */
  static final int ERROR_FLAG = 0x08;
  private static final int MAX_HOST = 1 << 16;
  static final long MIN_SECOND = Instant.MIN.getEpochSecond();
  static final long MAX_SECOND = Instant.MAX.getEpochSecond();

  /** A snapshot whose trees the index holds: what the search needs of it without reading it again. */
  record IndexedSnapshot(ObjectId id, Instant time, String host, int root) {}

  /** Where the sealed parts of a file come from: the cache on disk, or memory for a file just written. */
  interface Parts extends AutoCloseable {
    /** The plaintext of posting block {@code index}, of {@code length} bytes. */
    byte[] block(int index, int length) throws IOException, CorruptDataException;

    /** The plaintext of the tree ids. */
    byte[] ids(int length) throws IOException, CorruptDataException;

    @Override
    void close() throws IOException;
  }

  final int generation;
  final int sequence;
  final int treeBase;
  final int treeCount;
  final List<IndexedSnapshot> snapshots;
  private final char[] nameChars;
  private final int[] nameStarts;
  private final int[] postingStarts;
  private final int[] blockFirstName;
  private final int[] blockStarts;
  private final byte[] head;
  private final int[] treeStarts;
  private final byte[] @Nullable [] blocks;
  private final Parts parts;
  private byte @Nullable [] ids;

  private NameFile(int generation, int sequence, int treeBase, int treeCount, List<IndexedSnapshot> snapshots,
      char[] nameChars, int[] nameStarts, int[] postingStarts, int[] blockFirstName, int[] blockStarts, byte[] head,
      int[] treeStarts, Parts parts) {
    this.generation = generation;
    this.sequence = sequence;
    this.treeBase = treeBase;
    this.treeCount = treeCount;
    this.snapshots = List.copyOf(snapshots);
    this.nameChars = nameChars;
    this.nameStarts = nameStarts;
    this.postingStarts = postingStarts;
    this.blockFirstName = blockFirstName;
    this.blockStarts = blockStarts;
    this.head = head;
    this.treeStarts = treeStarts;
    this.blocks = new byte[blockFirstName.length][];
    this.parts = parts;
  }

  int nameCount() {
    return nameStarts.length - 1;
  }

  int blockCount() {
    return blockFirstName.length;
  }

  /** Plaintext bytes of posting block {@code index}. */
  int blockLength(int index) {
    return blockStarts[index + 1] - blockStarts[index];
  }

  int idsLength() {
    return treeCount * ObjectId.LENGTH;
  }

  /** The characters of all names, in ascending order; name {@code i} is {@code [nameStart(i), nameStart(i + 1))}. */
  char[] nameChars() {
    return nameChars;
  }

  int nameStart(int name) {
    return nameStarts[name];
  }

  String name(int name) {
    return new String(nameChars, nameStarts[name], nameStarts[name + 1] - nameStarts[name]);
  }

  /** The head's bytes, which {@link #directories} positions into. */
  byte[] head() {
    return head;
  }

  /** Where the subdirectory list of tree {@code local} starts in {@link #head()}: a count, then (name, subtree + 1) pairs. */
  int directories(int local) {
    return treeStarts[local];
  }

  /** The block holding a name's postings, opened (and checked) on first use, and the offset in it. */
  byte[] postingBlock(int name) throws IOException, CorruptDataException {
    int block = Arrays.binarySearch(blockFirstName, name);
    if (block < 0) {
      block = -block - 2;
    }
    byte[] data = blocks[block];
    if (data == null) {
      data = parts.block(block, blockLength(block));
      checkBlock(data, block);
      blocks[block] = data;
    }
    return data;
  }

  /** Where a name's postings start in its {@link #postingBlock}. */
  int postingOffset(int name) {
    int block = Arrays.binarySearch(blockFirstName, name);
    if (block < 0) {
      block = -block - 2;
    }
    return postingStarts[name] - blockStarts[block];
  }

  ObjectId treeId(int local) throws IOException, CorruptDataException {
    byte[] all = ids;
    if (all == null) {
      all = parts.ids(idsLength());
      if (all.length != idsLength()) {
        throw new CorruptDataException("tree ids of " + all.length + " bytes, expected " + idsLength());
      }
      ids = all;
    }
    if (local < 0 || (long) (local + 1) * ObjectId.LENGTH > all.length) {
      throw new CorruptDataException("tree number " + local + " is beyond the " + all.length / ObjectId.LENGTH
          + " tree ids of the name file");
    }
    return ObjectId.copyOf(all, local * ObjectId.LENGTH);
  }

  @Override
  public void close() throws IOException {
    parts.close();
  }

  // ---- decoding ----

  /**
   * Decodes and checks a file's head.
   *
   * @throws CorruptDataException if anything in it is out of place: the caller rebuilds the index
   */
  static NameFile open(byte[] head, Parts parts, int expectedGeneration, int expectedSequence, int expectedTreeBase)
      throws CorruptDataException {
    ByteReader r = new ByteReader(head);
    int version = r.u8();
    if (version != VERSION) {
      throw new CorruptDataException("name index version " + version + " is not supported");
    }
    int generation = (int) r.varintAtMost(Integer.MAX_VALUE, "generation");
    int sequence = (int) r.varintAtMost(Integer.MAX_VALUE, "sequence");
    int treeBase = (int) r.varintAtMost(Integer.MAX_VALUE, "tree base");
    if (generation != expectedGeneration || sequence != expectedSequence || treeBase != expectedTreeBase) {
      throw new CorruptDataException("file says generation " + generation + ", sequence " + sequence + ", first tree "
          + treeBase + " where " + expectedGeneration + ", " + expectedSequence + ", " + expectedTreeBase + " belong");
    }
    int treeCount = r.count(1, "tree");
    if ((long) treeBase + treeCount > Integer.MAX_VALUE) {
      throw new CorruptDataException("tree ordinals overflow");
    }
    int nameCount = r.count(3, "name");
    int snapshotCount = r.count(ObjectId.LENGTH + 4, "snapshot");
    int blockCount = r.count(2, "block");
    long postingsLength = r.varintAtMost(Integer.MAX_VALUE, "postings length");
    if (nameCount > 0 && blockCount == 0) {
      throw new CorruptDataException(nameCount + " names but no posting block");
    }

    char[] chars = new char[Math.max(16, nameCount * 12)];
    int[] nameStarts = new int[nameCount + 1];
    int charCount = 0;
    byte[] previous = new byte[MAX_NAME];
    byte[] current = new byte[MAX_NAME];
    int previousLength = 0;
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < nameCount; i++) {
      int shared = (int) r.varintAtMost(previousLength, "shared name prefix");
      int rest = (int) r.varintAtMost(MAX_NAME - shared, "name suffix");
      int at = r.position();
      r.skip(rest, "name");
      System.arraycopy(previous, 0, current, 0, shared);
      System.arraycopy(head, at, current, shared, rest);
      int length = shared + rest;
      if (i > 0 && Arrays.compareUnsigned(previous, 0, previousLength, current, 0, length) >= 0) {
        throw new CorruptDataException("names are not in strictly ascending order");
      }
      if (!ScannedTree.safe(current, 0, length)) {
        throw new CorruptDataException("a name the index never holds");
      }
      if (chars.length - charCount < length) {
        chars = Arrays.copyOf(chars, Math.max(chars.length * 2, charCount + length));
      }
      charCount = appendUtf8(current, length, chars, charCount, utf8);
      nameStarts[i + 1] = charCount;
      byte[] swap = previous;
      previous = current;
      current = swap;
      previousLength = length;
    }

    int[] postingStarts = new int[nameCount + 1];
    for (int i = 0; i < nameCount; i++) {
      postingStarts[i + 1] = postingStarts[i] + (int) r.varintAtMost(postingsLength - postingStarts[i], "posting length");
      if (postingStarts[i + 1] == postingStarts[i]) {
        throw new CorruptDataException("a name without postings");
      }
    }
    if (postingStarts[nameCount] != postingsLength) {
      throw new CorruptDataException("postings add up to " + postingStarts[nameCount] + " bytes, not " + postingsLength);
    }
    int[] blockFirstName = new int[blockCount];
    int[] blockStarts = new int[blockCount + 1];
    for (int b = 0; b < blockCount; b++) {
      blockFirstName[b] = (int) r.varintAtMost(nameCount - 1L, "first name of block");
      int length = (int) r.varintAtMost(postingsLength - blockStarts[b], "block length");
      blockStarts[b + 1] = blockStarts[b] + length;
      // Blocks hold whole names, in order: each starts where its first name's postings start.
      if (b == 0 ? blockFirstName[b] != 0 : blockFirstName[b] <= blockFirstName[b - 1]
          || postingStarts[blockFirstName[b]] != blockStarts[b] || length == 0) {
        throw new CorruptDataException("posting block " + b + " does not start at a name");
      }
    }
    if (blockStarts[blockCount] != postingsLength) {
      throw new CorruptDataException("posting blocks add up to " + blockStarts[blockCount] + " bytes, not " + postingsLength);
    }

    List<IndexedSnapshot> snapshots = new ArrayList<>(snapshotCount);
    for (int i = 0; i < snapshotCount; i++) {
      ObjectId id = ObjectId.read(r);
      long seconds = r.zigzag();
      long nanos = r.varintAtMost(999_999_999, "nanoseconds");
      if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
        throw new CorruptDataException("snapshot time out of range");
      }
      String host = r.string(MAX_HOST, "host");
      int root = (int) r.varintAtMost((long) treeBase + treeCount - 1, "root tree");
      snapshots.add(new IndexedSnapshot(id, Instant.ofEpochSecond(seconds, nanos), host, root));
    }

    int[] treeStarts = new int[treeCount];
    for (int t = 0; t < treeCount; t++) {
      treeStarts[t] = r.position();
      int directories = r.count(2, "directory");
      for (int d = 0; d < directories; d++) {
        r.varintAtMost(nameCount - 1L, "name id");
        // Trees are written children first, so a subtree has a smaller ordinal: no cycle can be encoded.
        if (r.varintAtMost(treeBase + t, "subtree") == 0) {
          throw new CorruptDataException("a subdirectory without a tree");
        }
      }
    }
    r.expectEnd("name index head");
    return new NameFile(generation, sequence, treeBase, treeCount, snapshots, Arrays.copyOf(chars, charCount),
        nameStarts, postingStarts, blockFirstName, blockStarts, head, treeStarts, parts);
  }

  private static int appendUtf8(byte[] bytes, int length, char[] out, int at, CharsetDecoder utf8)
      throws CorruptDataException {
    boolean ascii = true;
    for (int i = 0; i < length && ascii; i++) {
      ascii = bytes[i] >= 0;
    }
    if (ascii) {
      for (int i = 0; i < length; i++) {
        out[at + i] = (char) bytes[i];
      }
      return at + length;
    }
    try {
      CharBuffer decoded = utf8.reset().decode(ByteBuffer.wrap(bytes, 0, length));
      int n = decoded.remaining();
      decoded.get(out, at, n);
      return at + n;
    } catch (CharacterCodingException e) {
      throw new CorruptDataException("name is not valid UTF-8", e);
    }
  }

  /** Checks every posting of a block: versions, kinds, times, and tree references inside this file. */
  private void checkBlock(byte[] data, int block) throws CorruptDataException {
    if (data.length != blockLength(block)) {
      throw new CorruptDataException("posting block " + block + " has " + data.length + " bytes, not " + blockLength(block));
    }
    int lastName = block + 1 < blockFirstName.length ? blockFirstName[block + 1] : nameCount();
    for (int name = blockFirstName[block]; name < lastName; name++) {
      int from = postingStarts[name] - blockStarts[block];
      ByteReader r = new ByteReader(data, from, postingStarts[name + 1] - postingStarts[name]);
      int versions = r.count(13, "version");
      long seconds = 0;
      for (int v = 0; v < versions; v++) {
        int kind = r.u8();
        if ((kind & ~(ERROR_FLAG | 7)) != 0) {
          throw new CorruptDataException("bad entry kind " + kind);
        }
        NodeType.fromCode(kind & 7);
        r.varintAtMost(Long.MAX_VALUE, "size");
        long delta = r.zigzag();
        // Checked before adding, so that a wrong delta cannot overflow.
        if (delta < MIN_SECOND - MAX_SECOND || delta > MAX_SECOND - MIN_SECOND
            || seconds + delta < MIN_SECOND || seconds + delta > MAX_SECOND) {
          throw new CorruptDataException("modification time out of range");
        }
        seconds += delta;
        r.skip(8, "fingerprint");
        int refs = r.count(1, "tree reference");
        if (refs == 0) {
          throw new CorruptDataException("a version in no tree");
        }
        long tree = treeBase - 1L;
        for (int i = 0; i < refs; i++) {
          tree += r.varintAtMost(treeCount, "tree reference") + 1;
          if (tree >= (long) treeBase + treeCount) {
            throw new CorruptDataException("tree reference outside the file");
          }
        }
      }
      r.expectEnd("postings");
    }
  }

  /** A file whose parts are all in memory: one just written. */
  static Parts inMemory(byte[][] blocks, byte[] ids) {
    return new Parts() {
      @Override
      public byte[] block(int index, int length) {
        return blocks[index];
      }

      @Override
      public byte[] ids(int length) {
        return ids;
      }

      @Override
      public void close() {
        // Nothing to release.
      }
    };
  }
}
