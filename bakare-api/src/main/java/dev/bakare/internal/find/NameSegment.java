package dev.bakare.internal.find;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.NodeType;
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

/**
 * One decoded file of the name index: the trees it indexes (with ordinals {@code treeBase ..
 * treeBase + treeCount - 1}), the names their entries use, and the snapshots whose trees are complete in
 * it or earlier files. Layout in docs/design.md, "Name index". Decoding checks every count, offset,
 * reference and name, so a structurally wrong file is rejected here and the search can read records
 * without checks.
 */
final class NameSegment {
  static final int VERSION = 1;
  static final int MAX_NAME = 4096;
  private static final int MAX_HOST = 1 << 16;
  private static final long MIN_SECOND = Instant.MIN.getEpochSecond();
  private static final long MAX_SECOND = Instant.MAX.getEpochSecond();
  /** Entry kind byte: the node type code in the low three bits, and this bit for an entry with an error. */
  static final int ERROR_FLAG = 0x08;

  /** A snapshot whose trees the index holds: what the search needs of it without reading it again. */
  record IndexedSnapshot(ObjectId id, Instant time, String host, int root) {}

  final int generation;
  final int sequence;
  final int treeBase;
  final int treeCount;
  private final char[] nameChars;
  private final int[] nameStarts;
  final byte[] data;
  private final int[] recordStarts;
  private final int[] recordEnds;
  private final int idsAt;
  final List<IndexedSnapshot> snapshots;

  private NameSegment(int generation, int sequence, int treeBase, int treeCount, char[] nameChars, int[] nameStarts,
      byte[] data, int[] recordStarts, int[] recordEnds, int idsAt, List<IndexedSnapshot> snapshots) {
    this.generation = generation;
    this.sequence = sequence;
    this.treeBase = treeBase;
    this.treeCount = treeCount;
    this.nameChars = nameChars;
    this.nameStarts = nameStarts;
    this.data = data;
    this.recordStarts = recordStarts;
    this.recordEnds = recordEnds;
    this.idsAt = idsAt;
    this.snapshots = List.copyOf(snapshots);
  }

  int nameCount() {
    return nameStarts.length - 1;
  }

  /** The characters of all names; name {@code i} is {@code [nameStart(i), nameStart(i + 1))}. */
  char[] nameChars() {
    return nameChars;
  }

  int nameStart(int name) {
    return nameStarts[name];
  }

  String name(int name) {
    return new String(nameChars, nameStarts[name], nameStarts[name + 1] - nameStarts[name]);
  }

  ObjectId treeId(int local) {
    return ObjectId.copyOf(data, idsAt + local * ObjectId.LENGTH);
  }

  int recordStart(int local) {
    return recordStarts[local];
  }

  int recordEnd(int local) {
    return recordEnds[local];
  }

  /** Bytes of the decoded file held in memory. */
  long memoryBytes() {
    return data.length + 2L * nameChars.length + 4L * nameStarts.length + 8L * treeCount;
  }

  /**
   * Decodes and checks one file's plaintext.
   *
   * @throws CorruptDataException if anything in it is out of place: the caller rebuilds the index
   */
  static NameSegment decode(byte[] plain, int expectedGeneration, int expectedSequence, int expectedTreeBase)
      throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
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
    int treeCount = r.count(ObjectId.LENGTH + 3, "tree");
    if ((long) treeBase + treeCount > Integer.MAX_VALUE) {
      throw new CorruptDataException("tree ordinals overflow");
    }
    int nameCount = r.count(2, "name");
    int snapshotCount = r.count(ObjectId.LENGTH + 4, "snapshot");

    // Names, front-coded: bytes shared with the previous name, then the rest.
    char[] chars = new char[Math.max(16, nameCount * 12)];
    int[] starts = new int[nameCount + 1];
    int charCount = 0;
    byte[] previous = new byte[MAX_NAME];
    int previousLength = 0;
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < nameCount; i++) {
      int shared = (int) r.varintAtMost(previousLength, "shared name prefix");
      int rest = (int) r.varintAtMost(MAX_NAME - shared, "name suffix");
      if (shared + rest == 0) {
        throw new CorruptDataException("empty name");
      }
      int at = r.position();
      r.skip(rest, "name");
      System.arraycopy(plain, at, previous, shared, rest);
      previousLength = shared + rest;
      if (chars.length - charCount < previousLength) {
        chars = Arrays.copyOf(chars, Math.max(chars.length * 2, charCount + previousLength));
      }
      charCount = appendUtf8(previous, previousLength, chars, charCount, utf8);
      starts[i + 1] = charCount;
      checkName(chars, starts[i], charCount);
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

    int idsAt = r.position();
    r.skip(treeCount * ObjectId.LENGTH, "tree ids");
    int[] recordStarts = new int[treeCount];
    int[] recordEnds = new int[treeCount];
    for (int i = 0; i < treeCount; i++) {
      int length = (int) r.varintAtMost(r.remaining(), "tree record length");
      recordStarts[i] = r.position();
      recordEnds[i] = recordStarts[i] + length;
      checkRecord(new ByteReader(plain, recordStarts[i], length), treeBase + i, nameCount);
      r.skip(length, "tree record");
    }
    r.expectEnd("name index");
    return new NameSegment(generation, sequence, treeBase, treeCount, Arrays.copyOf(chars, charCount), starts, plain,
        recordStarts, recordEnds, idsAt, snapshots);
  }

  /** Names the index never holds: those a restore would refuse (see SafeNames). */
  private static void checkName(char[] chars, int from, int to) throws CorruptDataException {
    for (int c = from; c < to; c++) {
      if (chars[c] == '/' || chars[c] == '\0') {
        throw new CorruptDataException("name contains '/' or NUL");
      }
    }
    boolean dots = to - from <= 2;
    for (int c = from; c < to && dots; c++) {
      dots = chars[c] == '.';
    }
    if (dots) {
      throw new CorruptDataException("name '.' or '..'");
    }
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

  /** Checks one tree record: every count, name id, type, time and subtree reference. */
  private static void checkRecord(ByteReader r, int ordinal, int nameCount) throws CorruptDataException {
    int dirs = r.count(2, "directory");
    for (int d = 0; d < dirs; d++) {
      r.varintAtMost(nameCount - 1L, "name id");
      // Trees are written children first, so a subtree has a smaller ordinal: no cycle can be encoded.
      r.varintAtMost(ordinal, "subtree");
    }
    int entries = r.count(13, "entry");
    long seconds = 0;
    for (int e = 0; e < entries; e++) {
      r.varintAtMost(nameCount - 1L, "name id");
      int kind = r.u8();
      if ((kind & ~(ERROR_FLAG | 7)) != 0) {
        throw new CorruptDataException("bad entry kind " + kind);
      }
      NodeType.fromCode(kind & 7);
      r.varintAtMost(Long.MAX_VALUE, "size");
      long delta = r.zigzag();
      // Checked before adding, so that a forged delta cannot overflow.
      if (delta < MIN_SECOND - MAX_SECOND || delta > MAX_SECOND - MIN_SECOND
          || seconds + delta < MIN_SECOND || seconds + delta > MAX_SECOND) {
        throw new CorruptDataException("modification time out of range");
      }
      seconds += delta;
      r.varintAtMost(999_999_999, "nanoseconds");
      r.skip(8, "fingerprint");
    }
    r.expectEnd("tree record");
  }
}
