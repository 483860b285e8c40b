package dev.bakare.internal.cache;

import dev.bakare.internal.crypto.Crypto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Set;

/**
 * How bakare writes its local caches: directories only their owner may enter, files only their owner may
 * read, and a file that appears under its name complete or not at all (written under a temporary name in
 * the same directory, then renamed over the old one; a process that still has the old one open or mapped
 * keeps reading it).
 */
public final class CacheFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  /** Temporary files end so; whoever cleans a cache directory may delete them (left by an interrupted write). */
  public static final String TEMPORARY_SUFFIX = ".tmp";

  private CacheFiles() {}

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** The attributes of a new file only its owner may read and write. */
  public static FileAttribute<?>[] privateFile() {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  /**
   * Creates the missing directories of {@code directory} 0700, and makes it and its parent (the
   * repository's directory in the cache) 0700 if they are not: they hold what backups contain, or where.
   * The cache root itself may be a directory the user shares, and is left as it is.
   */
  public static void createPrivateDirectories(Path directory) throws IOException {
    if (!posix()) {
      Files.createDirectories(directory);
      return;
    }
    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    Path dir = directory;
    for (int i = 0; i < 2 && dir != null; i++, dir = dir.getParent()) {
      if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
      }
    }
  }

  /** Writes a file's content. */
  @FunctionalInterface
  public interface ContentWriter {
    void write(FileChannel channel) throws IOException;
  }

  /**
   * Writes {@code target} anew: {@code content} fills a private temporary file in its directory (which is
   * created private if missing), which is then renamed over {@code target}. A failure leaves {@code target}
   * as it was and deletes the temporary file.
   */
  public static void replaceWith(Path target, ContentWriter content) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    if (parent != null) {
      createPrivateDirectories(parent);
    }
    Path temporary = temporaryFor(target);
    boolean replaced = false;
    try {
      try (FileChannel channel = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), privateFile())) {
        content.write(channel);
      }
      replace(temporary, target);
      replaced = true;
    } finally {
      if (!replaced) {
        Files.deleteIfExists(temporary);
      }
    }
  }

  /**
   * Deletes a cache file found unusable; one that cannot be deleted is reported and left (the next reader
   * finds it unusable again and reads storage).
   */
  public static void deleteUnusable(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      System.getLogger(CacheFiles.class.getName()).log(System.Logger.Level.WARNING,
          "could not delete the unusable cache file " + file + ": " + e.getMessage() + "; delete it by hand");
    }
  }

  /** A name for a temporary file next to {@code target}. */
  public static Path temporaryFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + "." + HexFormat.of().formatHex(Crypto.randomBytes(6))
        + TEMPORARY_SUFFIX);
  }

  /** Renames a complete temporary file onto {@code target}, atomically where the file system can. */
  public static void replace(Path temporary, Path target) throws IOException {
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /**
   * Fills {@code into}'s remaining bytes from {@code channel} at {@code at} with positional reads (the
   * channel's position is not used); false if the file ends first.
   */
  public static boolean readFully(FileChannel channel, long at, ByteBuffer into) throws IOException {
    int start = into.position();
    while (into.hasRemaining()) {
      if (channel.read(into, at + into.position() - start) < 0) {
        return false;
      }
    }
    return true;
  }
}
