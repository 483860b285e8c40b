package dev.bakare.internal.tree;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The entries of one directory, sorted by the unsigned bytes of their UTF-8 names, so that the same
 * directory always encodes to the same bytes and unchanged directories dedup. Layout in docs/design.md,
 * "Trees".
 */
public record Tree(List<Node> nodes) {
  /**
   * The deepest nesting of directories a reader follows. Deeper trees come from damaged or forged
   * snapshots (a snapshot written with the full key can nest 100,000 levels), or from directories nested
   * more than 1024 levels deep, whose paths exceed 2 KiB even with one-letter names. The walks of check,
   * list and repair recurse once per level, on a thread with a large stack ({@link DeepWalk}): on a default
   * 1 MiB stack they overflowed at about a thousand levels. Restore walks with an explicit stack and stops
   * here too, with one error instead of one per level whose path the system cannot create.
   */
  public static final int MAX_DEPTH = 1024;

  private static final int VERSION = 1;
  private static final int MAX_NAME = 4096;
  private static final int MAX_TEXT = 1 << 16;
  /** Every node takes at least: name length, type, and a dozen one-byte varints. */
  private static final int MIN_NODE = 16;

  /** The order of the unsigned bytes of the names' UTF-8 encodings. */
  public static final Comparator<String> NAME_ORDER = Tree::compareUtf8;

  public Tree {
    // Decoded trees and a backup's directories arrive sorted: checking costs a comparison a node, sorting
    // a copy several.
    List<Node> sorted = nodes;
    if (!strictlyAscending(sorted)) {
      sorted = new ArrayList<>(nodes);
      sorted.sort(Comparator.comparing(Node::name, NAME_ORDER));
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
          throw new IllegalArgumentException("duplicate entry name '" + sorted.get(i).name() + "' in a tree");
        }
      }
    }
    nodes = List.copyOf(sorted);
  }

  private static boolean strictlyAscending(List<Node> nodes) {
    for (int i = 1; i < nodes.size(); i++) {
      if (compareUtf8(nodes.get(i - 1).name(), nodes.get(i).name()) >= 0) {
        return false;
      }
    }
    return true;
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(64 + nodes.size() * 96);
    encodeTo(w);
    return w.toByteArray();
  }

  /** Appends the encoding to {@code w}, so that a caller encoding many trees can reuse one buffer. */
  public void encodeTo(ByteWriter w) {
    w.u8(VERSION).varint(nodes.size());
    for (Node n : nodes) {
      w.string(n.name()).u8(n.type().code()).varint(n.mode()).varint(n.uid()).varint(n.gid());
      w.string(n.user()).string(n.group());
      w.zigzag(n.mtime().getEpochSecond()).varint(n.mtime().getNano());
      w.zigzag(n.ctime().getEpochSecond()).varint(n.ctime().getNano());
      w.varint(n.inode()).varint(n.device()).varint(n.links()).varint(n.size());
      w.string(n.error());
      switch (n.type()) {
        case FILE -> {
          w.varint(n.content().size());
          for (ObjectId id : n.content()) {
            id.writeTo(w);
          }
        }
        case DIRECTORY -> {
          ObjectId subtree = n.subtree();
          if (subtree == null) {
            w.u8(0);
          } else {
            w.u8(1);
            subtree.writeTo(w);
          }
        }
        case SYMLINK -> w.string(n.linkTarget());
        default -> { }
      }
    }
  }

  /**
   * Compares as the UTF-8 bytes would, without encoding: a no-change backup compares every name of every
   * directory, and encoding both names each time was a tenth of its allocation. Outside surrogates, UTF-16
   * code units order as code points do, and code points as their UTF-8 bytes; names with surrogates (rare,
   * and possibly unpaired, which the encoder replaces) are compared by their encodings.
   */
  private static int compareUtf8(String a, String b) {
    int common = Math.min(a.length(), b.length());
    for (int i = 0; i < common; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
      }
      if (x != y) {
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  /** Why a tree at {@code depth} (the root is at 1) is not followed, or null if it is within the bound. */
  public static @org.jspecify.annotations.Nullable String tooDeep(int depth) {
    return depth > MAX_DEPTH ? "directories nested deeper than " + MAX_DEPTH + " levels (a damaged or forged snapshot)"
        : null;
  }

  public static Tree decode(byte[] bytes) throws CorruptDataException {
    return decode(bytes, 0, bytes.length);
  }

  /** Decodes the tree in {@code length} bytes of {@code bytes} from {@code offset}; keeps no reference to them. */
  public static Tree decode(byte[] bytes, int offset, int length) throws CorruptDataException {
    Cursor cursor = new Cursor(bytes, offset, length);
    List<Node> nodes = new ArrayList<>(cursor.size());
    while (cursor.hasNext()) {
      nodes.add(cursor.next());
    }
    return new Tree(nodes);
  }

  /**
   * Reads an encoded tree's nodes one at a time, in name order, checking what {@link #decode} checks: for a
   * reader that looks at each node once and keeps few of them (a backup comparing a directory with its
   * parent snapshot's version). It reads the caller's bytes as it goes; they must not change meanwhile.
   */
  public static final class Cursor {
    private final ByteReader reader;
    private final NodeDecoder decoder = new NodeDecoder();
    private final int size;
    private int remaining;

    public Cursor(byte[] bytes, int offset, int length) throws CorruptDataException {
      reader = new ByteReader(bytes, offset, length);
      int version = reader.u8();
      if (version != VERSION) {
        throw new CorruptDataException("tree version " + version + " is not supported");
      }
      size = reader.count(MIN_NODE, "tree node");
      remaining = size;
      if (size == 0) {
        reader.expectEnd("tree");
      }
    }

    /** The number of nodes the tree holds. */
    public int size() {
      return size;
    }

    public boolean hasNext() {
      return remaining > 0;
    }

    /** The next node; with the last one, also checks that nothing follows it. */
    public Node next() throws CorruptDataException {
      if (remaining == 0) {
        throw new NoSuchElementException("all " + size + " nodes of the tree were read");
      }
      Node node = decoder.next(reader);
      if (--remaining == 0) {
        reader.expectEnd("tree");
      }
      return node;
    }
  }

  /**
   * Decodes a tree's nodes one after the other, keeping what a node's decoding needs of the one before:
   * its name, to check the order, and its owner and group, which repeat. A method per node rather than one
   * loop over all: C2 compiles it as a method, small, where it compiled the whole loop of {@link #decode}
   * on stack and then again as a method (in a cold restore of 300,000 files, 0.6-0.8 s of compile time
   * for the tree's methods against 0.27 s; the compiler thread shares the two cores with the restore).
   */
  private static final class NodeDecoder {
    private @org.jspecify.annotations.Nullable String previous;
    private String user = "";
    private String group = "";

    Node next(ByteReader r) throws CorruptDataException {
      String name = r.string(MAX_NAME, "entry name");
      String before = previous;
      if (before != null && NAME_ORDER.compare(before, name) >= 0) {
        throw new CorruptDataException("tree entries are not in strictly ascending name order at '" + name + "'");
      }
      previous = name;
      NodeType type = NodeType.fromCode(r.u8());
      int mode = (int) r.varintAtMost(07777, "mode");
      long uid = r.varintAtMost(0xFFFF_FFFFL, "uid");
      long gid = r.varintAtMost(0xFFFF_FFFFL, "gid");
      user = r.string(MAX_TEXT, "user name", user);
      group = r.string(MAX_TEXT, "group name", group);
      Instant mtime = instant(r);
      Instant ctime = instant(r);
      long inode = r.varint();
      long device = r.varint();
      long links = r.varint();
      long size = r.varintAtMost(Long.MAX_VALUE, "size");
      String error = r.string(MAX_TEXT, "error");
      List<ObjectId> content = List.of();
      ObjectId subtree = null;
      String target = "";
      switch (type) {
        case FILE -> content = chunkIds(r);
        case DIRECTORY -> {
          int has = r.u8();
          if (has > 1) {
            throw new CorruptDataException("bad subtree flag " + has);
          }
          subtree = has == 1 ? ObjectId.read(r) : null;
        }
        case SYMLINK -> target = r.string(MAX_TEXT, "symlink target");
        default -> { }
      }
      return new Node(name, type, mode, uid, gid, user, group, mtime, ctime, inode, device, links, size,
          content, subtree, target, error);
    }

    private static List<ObjectId> chunkIds(ByteReader r) throws CorruptDataException {
      int chunks = r.count(ObjectId.LENGTH, "chunk");
      List<ObjectId> ids = new ArrayList<>(chunks);
      for (int c = 0; c < chunks; c++) {
        ids.add(ObjectId.read(r));
      }
      return ids;
    }
  }

  private static Instant instant(ByteReader r) throws CorruptDataException {
    long seconds = r.zigzag();
    long nanos = r.varintAtMost(999_999_999, "nanoseconds");
    try {
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (DateTimeException e) {
      throw new CorruptDataException("time " + seconds + "s is out of range", e);
    }
  }
}
