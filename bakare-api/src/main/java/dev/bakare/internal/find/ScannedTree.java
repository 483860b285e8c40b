package dev.bakare.internal.find;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.NodeType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * What the name index needs of one tree, read straight from its encoding (docs/design.md, "Trees"):
 * each entry's name (as UTF-8 bytes within the tree's plaintext), kind, size, modification time, a
 * content fingerprint and, for a directory, its subtree. {@link dev.bakare.internal.tree.Tree#decode}
 * builds a full {@code Node} with owner, times and chunk list per entry; indexing a million files that way
 * spends most of its time allocating and decoding strings the index never uses, so this reader skips
 * them. It checks the same structure (every length against the bytes left, name order, types, times) and
 * leaves out entries whose names a restore would refuse.
 */
final class ScannedTree {
  private static final int VERSION = 1;
  private static final int MAX_NAME = 4096;
  private static final int MAX_TEXT = 1 << 16;
  private static final int MIN_NODE = 16;

  final byte[] bytes;
  int count;
  int[] nameOffsets;
  int[] nameLengths;
  /** The node type code, with {@link NameFile#ERROR_FLAG} for an entry whose content is missing. */
  byte[] kinds;
  long[] sizes;
  long[] mtimes;
  long[] fingerprints;
  /** The writer's hashes of each name and entry, computed on the reading thread to spare the writing one. */
  int[] nameHashes;
  int[] versionHashes;
  @Nullable ObjectId[] subtrees;

  private ScannedTree(byte[] bytes, int capacity) {
    this.bytes = bytes;
    nameOffsets = new int[capacity];
    nameLengths = new int[capacity];
    kinds = new byte[capacity];
    sizes = new long[capacity];
    mtimes = new long[capacity];
    fingerprints = new long[capacity];
    nameHashes = new int[capacity];
    versionHashes = new int[capacity];
    subtrees = new ObjectId[capacity];
  }

  /**
   * Reads a tree's plaintext.
   *
   * @throws CorruptDataException if it is not a well-formed tree
   */
  static ScannedTree scan(byte[] bytes) throws CorruptDataException {
    ByteReader r = new ByteReader(bytes);
    int version = r.u8();
    if (version != VERSION) {
      throw new CorruptDataException("tree version " + version + " is not supported");
    }
    int count = r.count(MIN_NODE, "tree node");
    ScannedTree tree = new ScannedTree(bytes, count);
    int previousAt = -1;
    int previousLength = 0;
    for (int i = 0; i < count; i++) {
      int length = (int) r.varintAtMost(MAX_NAME, "entry name length");
      int at = r.position();
      r.skip(length, "entry name");
      if (previousAt >= 0 && Arrays.compareUnsigned(bytes, previousAt, previousAt + previousLength, bytes, at, at + length) >= 0) {
        throw new CorruptDataException("tree entries are not in strictly ascending name order");
      }
      previousAt = at;
      previousLength = length;
      NodeType type = NodeType.fromCode(r.u8());
      r.varintAtMost(07777, "mode");
      r.varintAtMost(0xFFFF_FFFFL, "uid");
      r.varintAtMost(0xFFFF_FFFFL, "gid");
      skipText(r, bytes, "user name");
      skipText(r, bytes, "group name");
      long mtime = seconds(r);
      r.varintAtMost(999_999_999, "nanoseconds");
      seconds(r);
      r.varintAtMost(999_999_999, "nanoseconds");
      r.varint();
      r.varint();
      r.varint();
      long size = r.varintAtMost(Long.MAX_VALUE, "size");
      boolean error = skipText(r, bytes, "error") > 0;
      long fingerprint = 0;
      ObjectId subtree = null;
      switch (type) {
        case FILE -> {
          int chunks = r.count(ObjectId.LENGTH, "chunk");
          fingerprint = mix(size ^ (error ? 0x5bd1e995L : 0));
          for (int c = 0; c < chunks; c++) {
            fingerprint = mix(fingerprint ^ ByteBuffer.wrap(bytes, r.position(), 8).getLong());
            r.skip(ObjectId.LENGTH, "chunk id");
          }
        }
        case DIRECTORY -> {
          int has = r.u8();
          if (has > 1) {
            throw new CorruptDataException("bad subtree flag " + has);
          }
          if (has == 1) {
            int idAt = r.position();
            r.skip(ObjectId.LENGTH, "subtree id");
            subtree = ObjectId.copyOf(bytes, idAt);
            fingerprint = subtree.prefixLong(0);
          }
        }
        case SYMLINK -> {
          int targetLength = skipText(r, bytes, "symlink target");
          for (int b = r.position() - targetLength; b < r.position(); b++) {
            fingerprint = mix(fingerprint ^ (bytes[b] & 0xFF));
          }
        }
        default -> { }
      }
      checkUtf8(bytes, at, length, "entry name");
      if (!safe(bytes, at, length)) {
        // A restore refuses such a name (only a forged tree has one), so finding it would lead nowhere.
        continue;
      }
      int n = tree.count++;
      tree.nameOffsets[n] = at;
      tree.nameLengths[n] = length;
      tree.kinds[n] = (byte) (type.code() | (error ? NameFile.ERROR_FLAG : 0));
      tree.sizes[n] = type == NodeType.FILE ? size : 0;
      tree.mtimes[n] = mtime;
      tree.fingerprints[n] = fingerprint;
      tree.subtrees[n] = subtree;
      tree.nameHashes[n] = NameFileWriter.nameHash(bytes, at, length);
      tree.versionHashes[n] = NameFileWriter.versionHash(tree.nameHashes[n], tree.kinds[n], tree.sizes[n], mtime,
          fingerprint);
    }
    r.expectEnd("tree");
    return tree;
  }

  /**
   * Skips a length-prefixed string and returns its length. It must be UTF-8 even though the index does
   * not use it: the index holds only trees a restore can decode.
   */
  private static int skipText(ByteReader r, byte[] bytes, String what) throws CorruptDataException {
    int length = (int) r.varintAtMost(MAX_TEXT, what + " length");
    int at = r.position();
    r.skip(length, what);
    checkUtf8(bytes, at, length, what);
    return length;
  }

  private static long seconds(ByteReader r) throws CorruptDataException {
    long seconds = r.zigzag();
    if (seconds < Instant.MIN.getEpochSecond() || seconds > Instant.MAX.getEpochSecond()) {
      throw new CorruptDataException("time " + seconds + "s is out of range");
    }
    return seconds;
  }

  private static void checkUtf8(byte[] bytes, int at, int length, String what) throws CorruptDataException {
    for (int i = at; i < at + length; i++) {
      if (bytes[i] < 0) {
        try {
          StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, at, length));
        } catch (CharacterCodingException e) {
          throw new CorruptDataException(what + " is not valid UTF-8", e);
        }
        return;
      }
    }
  }

  /** The rule of {@link dev.bakare.internal.restore.SafeNames}, on UTF-8 bytes. */
  static boolean safe(byte[] bytes, int at, int length) {
    if (length == 0 || length <= 2 && bytes[at] == '.' && bytes[at + length - 1] == '.') {
      return false;
    }
    for (int i = at; i < at + length; i++) {
      if (bytes[i] == '/' || bytes[i] == 0) {
        return false;
      }
    }
    return true;
  }

  /** The finalizer of SplitMix64: a bijection that spreads every input bit over the output. */
  static long mix(long value) {
    long z = (value + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
