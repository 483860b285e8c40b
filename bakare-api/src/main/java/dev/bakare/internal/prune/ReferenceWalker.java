package dev.bakare.internal.prune;

import dev.bakare.RepositoryException;
import dev.bakare.internal.format.CompactIdSet;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import dev.bakare.internal.tree.TreeReader;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Visits every chunk (trees and file data) that snapshots reference, each tree once however many
 * snapshots share it. Any tree that cannot be read stops the walk: deleting anything on an incomplete
 * picture of what is referenced could lose data.
 */
final class ReferenceWalker {
  private final TreeReader trees;
  private final CompactIdSet visitedTrees = new CompactIdSet();

  ReferenceWalker(TreeReader trees) {
    this.trees = trees;
  }

  /** Reports {@code root} and everything below it that was not reported before. */
  void walk(ObjectId root, Consumer<ObjectId> referenced) throws IOException {
    Deque<ObjectId> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      ObjectId treeId = pending.pop();
      if (!visitedTrees.add(treeId)) {
        continue;
      }
      referenced.accept(treeId);
      Tree tree;
      try {
        tree = trees.read(treeId);
      } catch (IOException e) {
        throw new RepositoryException("prune stopped, nothing was deleted: tree " + treeId.shortHex()
            + " cannot be read (" + e.getMessage() + "); run check, then repair", e);
      }
      for (Node node : tree.nodes()) {
        if (node.type() == NodeType.FILE) {
          node.content().forEach(referenced);
        } else if (node.type() == NodeType.DIRECTORY && node.subtree() != null) {
          pending.push(node.subtree());
        }
      }
    }
  }
}
