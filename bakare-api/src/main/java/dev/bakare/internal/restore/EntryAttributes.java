package dev.bakare.internal.restore;

import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import java.time.Instant;

/**
 * What a restore sets on an entry besides its content. A planned file keeps this instead of its whole
 * node until it is restored: a restore holds thousands of files planned, and the node's other parts (the
 * change time, inode, device, names of owner and group) were half of what each kept alive.
 *
 * @param type the entry's kind (a symlink's mode is not set)
 * @param mode permission bits ({@code 07777})
 * @param uid numeric owner
 * @param gid numeric group
 * @param mtime last modification
 */
record EntryAttributes(NodeType type, int mode, long uid, long gid, Instant mtime) {
  static EntryAttributes of(Node node) {
    return new EntryAttributes(node.type(), node.mode(), node.uid(), node.gid(), node.mtime());
  }
}
