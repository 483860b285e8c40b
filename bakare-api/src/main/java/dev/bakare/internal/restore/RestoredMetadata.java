package dev.bakare.internal.restore;

import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a restore sets on an entry besides its content: owner (only as root), mode and modification time.
 * A file is created with its own permissions, so it is never more open than it will be, and where the
 * process's umask leaves those intact no chmod follows: on a tree of small files every saved system call
 * counts. The access time becomes the restore's start, which is also what the kernel gives a new file.
 */
final class RestoredMetadata {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final int PERMISSION_BITS = 0777;
  private static final int SPECIAL_BITS = 07000;
  /** Permission bits in the order of {@link PosixFilePermission}'s constants, highest bit first. */
  private static final PosixFilePermission[] BY_BIT = PosixFilePermission.values();

  private final long uid;
  private final long gid;
  private final boolean root;
  /** The process's umask, or -1 where it cannot be read: then every file gets its chmod. */
  private final int umask;
  private final FileTime accessTime;

  RestoredMetadata(Instant started) {
    long[] owner = processOwner();
    this.uid = owner[0];
    this.gid = owner[1];
    this.root = uid == 0;
    this.umask = processUmask();
    this.accessTime = FileTime.from(started);
  }

  /** The attribute to create a file of {@code mode} with: its permission bits (the umask still applies). */
  static FileAttribute<Set<PosixFilePermission>> creationPermissions(int mode) {
    return CREATION_PERMISSIONS[mode & PERMISSION_BITS];
  }

  /** The attribute for each of the 512 permission bit patterns, made once rather than per file restored. */
  private static final FileAttribute<Set<PosixFilePermission>>[] CREATION_PERMISSIONS = creationPermissionsByBits();

  @SuppressWarnings("unchecked")
  private static FileAttribute<Set<PosixFilePermission>>[] creationPermissionsByBits() {
    FileAttribute<Set<PosixFilePermission>>[] byBits = new FileAttribute[PERMISSION_BITS + 1];
    for (int bits = 0; bits <= PERMISSION_BITS; bits++) {
      Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
      for (int i = 0; i < BY_BIT.length; i++) {
        if ((bits & (0400 >> i)) != 0) {
          permissions.add(BY_BIT[i]);
        }
      }
      byBits[bits] = PosixFilePermissions.asFileAttribute(permissions);
    }
    return byBits;
  }

  /** Whether a file created with {@link #creationPermissions} already has exactly {@code mode}. */
  boolean createdWithItsMode(int mode) {
    return umask >= 0 && (mode & SPECIAL_BITS) == 0 && (mode & PERMISSION_BITS & umask) == 0;
  }

  /**
   * Sets owner, mode and times of the entry at {@code path}; {@code modeSet} skips the chmod of a file
   * {@link #createdWithItsMode created with its mode}. A file still open as {@code open} (written by this
   * restore, not yet closed) gets its times through the descriptor where it can.
   */
  void apply(Path path, EntryAttributes entry, boolean modeSet, @Nullable RestoredFile open) throws IOException {
    // Owner first: chown clears setuid and setgid bits. What this process creates is already its own.
    if (root && (entry.uid() != uid || entry.gid() != gid)) {
      Files.setAttribute(path, "unix:uid", (int) entry.uid(), NOFOLLOW);
      Files.setAttribute(path, "unix:gid", (int) entry.gid(), NOFOLLOW);
    }
    if (entry.type() != NodeType.SYMLINK && !modeSet) {
      Files.setAttribute(path, "unix:mode", entry.mode(), NOFOLLOW);
    }
    Instant accessed = accessTime.toInstant();
    if (open != null && open.setTimes(entry.mtime(), accessed)) {
      return;
    }
    // Both times given: with one left out, the JDK reads the file's attributes first to keep it.
    Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW)
        .setTimes(FileTime.from(entry.mtime()), accessTime, null);
  }

  /** Only root may give files away; others keep their own ownership, as tar and restic do. */
  private static long[] processOwner() {
    try {
      // /proc/self belongs to the process's effective user and group.
      Path self = Path.of("/proc/self");
      return new long[] {
        ((Integer) Files.getAttribute(self, "unix:uid")) & 0xFFFF_FFFFL,
        ((Integer) Files.getAttribute(self, "unix:gid")) & 0xFFFF_FFFFL
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return new long[] {"root".equals(System.getProperty("user.name")) ? 0 : -1, -1};
    }
  }

  /** The umask from {@code /proc/self/status} (Linux 4.7 and later), or -1. */
  private static int processUmask() {
    try {
      List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : status) {
        if (line.startsWith("Umask:")) {
          return Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux, or an older kernel: chmod every file, as before.
    }
    return -1;
  }
}
