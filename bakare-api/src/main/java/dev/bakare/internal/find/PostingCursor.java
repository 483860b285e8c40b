package dev.bakare.internal.find;

import dev.bakare.internal.format.CorruptDataException;
import java.io.IOException;

/**
 * Reads the postings of one name of a {@link NameFile}: its versions (kind, size, modification time,
 * fingerprint), each with the trees that hold it. Its block was checked when opened, so reading needs no
 * checks. Reusable; not thread-safe.
 *
 * <p>Call {@link #open}, then {@link #nextVersion} {@link #versions} times, after each of which {@link
 * #nextTree} {@link #trees} times.
 */
final class PostingCursor {
  private final VarintReader in = new VarintReader(new byte[0], 0);
  private int treeBase;
  private long seconds;
  private int tree;

  int versions;

  /** Set by {@link #nextVersion}. */
  int kind;
  long size;
  long mtimeSeconds;
  long fingerprint;
  int trees;

  void open(NameFile file, int name) throws IOException, CorruptDataException {
    in.data = file.postingBlock(name);
    in.position = file.postingOffset(name);
    treeBase = file.treeBase;
    seconds = 0;
    versions = (int) in.varint();
  }

  void nextVersion() {
    kind = in.u8();
    size = in.varint();
    long v = in.varint();
    seconds += (v >>> 1) ^ -(v & 1);
    mtimeSeconds = seconds;
    fingerprint = in.u64();
    trees = (int) in.varint();
    tree = treeBase - 1;
  }

  /** The ordinal of the next tree holding the current version. */
  int nextTree() {
    tree += (int) in.varint() + 1;
    return tree;
  }
}
