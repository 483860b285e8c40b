package dev.bakare.internal.tree;

import dev.bakare.internal.format.ObjectId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One directory entry as stored in a tree.
 *
 * @param name the entry's name (one path segment)
 * @param type its kind
 * @param mode permission bits ({@code 07777}: rwx, setuid, setgid, sticky)
 * @param uid numeric owner
 * @param gid numeric group
 * @param user owner name, empty if unknown
 * @param group group name, empty if unknown
 * @param mtime last modification
 * @param ctime last status change (for change detection only; not restored)
 * @param inode inode number (for hard links and change detection)
 * @param device device number of the file system holding it
 * @param links hard link count
 * @param size length in bytes for files, 0 otherwise
 * @param content chunk ids of a file's data, in order
 * @param subtree the tree of a directory; null for other types and for a directory that could not be read
 * @param linkTarget a symlink's target, empty otherwise
 * @param error why the entry's content could not be backed up, empty if it was
 */
public record Node(
    String name,
    NodeType type,
    int mode,
    long uid,
    long gid,
    String user,
    String group,
    Instant mtime,
    Instant ctime,
    long inode,
    long device,
    long links,
    long size,
    List<ObjectId> content,
    @Nullable ObjectId subtree,
    String linkTarget,
    String error) {

  public Node {
    Objects.requireNonNull(name, "name");
    content = List.copyOf(content);
  }

  /**
   * Every component compared, as a record's equals would, but cheapest first and without the generic
   * bootstrap: a no-change backup compares a node per file ({@code NodeTest} checks every component
   * counts).
   */
  @Override
  public boolean equals(@Nullable Object other) {
    if (this == other) {
      return true;
    }
    return other instanceof Node n && size == n.size && equalBesidesContent(n) && content.equals(n.content);
  }

  /** Whether every component but size and content is equal. */
  private boolean equalBesidesContent(Node n) {
    return inode == n.inode && mode == n.mode && uid == n.uid && gid == n.gid && device == n.device
        && links == n.links && type == n.type && name.equals(n.name) && mtime.equals(n.mtime)
        && ctime.equals(n.ctime) && user.equals(n.user) && group.equals(n.group)
        && Objects.equals(subtree, n.subtree) && linkTarget.equals(n.linkTarget) && error.equals(n.error);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + Long.hashCode(size)) * 31 + mtime.hashCode();
  }

  public boolean hasError() {
    return !error.isEmpty();
  }

  /** A copy with the error set and content dropped. */
  public Node withError(String reason) {
    return new Node(name, type, mode, uid, gid, user, group, mtime, ctime, inode, device, links, size,
        List.of(), null, linkTarget, reason);
  }

  /** A copy with the error set and content kept: the content is what could be read. */
  public Node withWarning(String reason) {
    return new Node(name, type, mode, uid, gid, user, group, mtime, ctime, inode, device, links, size,
        content, subtree, linkTarget, reason);
  }

  public Node withContent(List<ObjectId> chunks, long newSize) {
    return new Node(name, type, mode, uid, gid, user, group, mtime, ctime, inode, device, links, newSize,
        chunks, subtree, linkTarget, error);
  }

  /**
   * This node with {@code before}'s content and size: {@code before} itself if that is equal to it, as it is
   * for every unchanged file of a backup, which then makes no node for the comparison.
   */
  public Node withContentOf(Node before) {
    return equalBesidesContent(before) ? before : withContent(before.content, before.size);
  }

  public Node withSubtree(ObjectId tree) {
    return new Node(name, type, mode, uid, gid, user, group, mtime, ctime, inode, device, links, size,
        content, tree, linkTarget, error);
  }
}
