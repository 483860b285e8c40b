package dev.bakare.internal.backup;

import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parent snapshot's version of a directory being backed up: its tree's id and encoding. The directory's
 * entries are visited in name order, the tree's order, and its nodes are decoded one at a time to meet them
 * ({@link Matcher}); a new node equal to its parent's stands in the directory's list as {@link #SAME}.
 *
 * <p>Why not the decoded nodes: a directory waits for the stats of all its entries (a cold directory of
 * 1,000 entries ~50 ms, longer than the young generation lasts), and whatever it holds meanwhile is copied
 * and promoted. Its parent's decoded nodes (~280 bytes of heap an entry, against ~90 encoded) were most of
 * that in a no-change backup of 300,000 small files.
 */
final class ParentDirectory {
  private static final System.Logger LOG = System.getLogger(ParentDirectory.class.getName());
  /** A directory that had no parent version, or one that could not be read. */
  static final ParentDirectory NONE = new ParentDirectory(null, new byte[0], 0);

  /**
   * Stands, in a directory's list of new nodes, for the parent's node of the same entry where the new node is
   * equal to it; only compared by identity, never stored ({@link #resolve}).
   */
  static final Node SAME = new Node("", NodeType.FIFO, 0, 0, 0, "", "", Instant.EPOCH, Instant.EPOCH, 0, 0, 0, 0,
      List.of(), null, "", "");

  private final @Nullable ObjectId tree;
  private final byte[] encoded;
  private final int size;

  private ParentDirectory(@Nullable ObjectId tree, byte[] encoded, int size) {
    this.tree = tree;
    this.encoded = encoded;
    this.size = size;
  }

  /**
   * The parent version whose tree {@code tree} has the encoding {@code encoded} (which this keeps and which
   * must not change).
   *
   * @throws CorruptDataException if the encoding does not start as a tree does
   */
  static ParentDirectory of(ObjectId tree, byte[] encoded) throws CorruptDataException {
    return new ParentDirectory(tree, encoded, new Tree.Cursor(encoded, 0, encoded.length).size());
  }

  /** The parent's tree, null if there is none. */
  @Nullable ObjectId tree() {
    return tree;
  }

  private String name() {
    return tree == null ? "(none)" : tree.shortHex();
  }

  /** Finds the parent's nodes for entries visited in ascending name order; one per directory visit. */
  Matcher matcher() {
    return new Matcher();
  }

  /**
   * Whether a directory whose new nodes are {@code nodes} (in name order, entries that failed left out) is
   * its parent's directory unchanged: each of them {@link #SAME}, one for each of the parent's nodes.
   */
  boolean isMadeOf(List<Node> nodes) {
    if (tree == null || nodes.size() != size) {
      return false;
    }
    for (Node node : nodes) {
      if (node != SAME) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code nodes} with each {@link #SAME} replaced by the parent's node it stands for, whose position among
   * the parent's nodes is in {@code ordinals} at the same index.
   */
  List<Node> resolve(List<Node> nodes, int[] ordinals) {
    int last = -1;
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) == SAME) {
        last = Math.max(last, ordinals[i]);
      }
    }
    if (last < 0) {
      return nodes;
    }
    List<Node> before = new ArrayList<>(last + 1);
    try {
      Tree.Cursor cursor = new Tree.Cursor(encoded, 0, encoded.length);
      while (before.size() <= last) {
        before.add(cursor.next());
      }
    } catch (CorruptDataException e) {
      // The matcher decoded these same bytes up to there: SAME comes only from a node it decoded.
      throw new IllegalStateException("parent tree " + name() + " no longer decodes up to node " + last, e);
    }
    List<Node> resolved = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      resolved.add(node == SAME ? before.get(ordinals[i]) : node);
    }
    return resolved;
  }

  /**
   * The parent's node for each entry name asked, in strictly ascending {@link Tree#NAME_ORDER}. A parent tree
   * that fails to decode part way counts as having no more nodes: those entries are read again, which is
   * always correct, and it does not stand for the new directory ({@link #isMadeOf} needs every node).
   */
  final class Matcher {
    private Tree.@Nullable Cursor cursor;
    private @Nullable Node next;
    /** The position of {@link #next} among the parent's nodes. */
    private int nextOrdinal = -1;
    private int ordinal = -1;

    private Matcher() {
      if (tree != null) {
        try {
          cursor = new Tree.Cursor(encoded, 0, encoded.length);
          advance();
        } catch (CorruptDataException e) {
          broken(e);
        }
      }
    }

    /** The parent's node named {@code name}, or null if it has none. */
    @Nullable Node find(String name) {
      ordinal = -1;
      while (next != null) {
        int order = Tree.NAME_ORDER.compare(next.name(), name);
        if (order > 0) {
          return null;
        }
        Node candidate = next;
        int candidateOrdinal = nextOrdinal;
        advance();
        if (order == 0) {
          ordinal = candidateOrdinal;
          return candidate;
        }
      }
      return null;
    }

    /** The position among the parent's nodes of the node {@link #find} returned last, -1 if it found none. */
    int ordinal() {
      return ordinal;
    }

    private void advance() {
      Tree.Cursor c = cursor;
      if (c == null || !c.hasNext()) {
        next = null;
        return;
      }
      try {
        next = c.next();
        nextOrdinal++;
      } catch (CorruptDataException e) {
        broken(e);
      }
    }

    private void broken(CorruptDataException e) {
      cursor = null;
      next = null;
      LOG.log(System.Logger.Level.WARNING, "parent tree " + name() + " is damaged after "
          + (nextOrdinal + 1) + " entries, reading the directory's other files again: " + e.getMessage());
    }
  }
}
