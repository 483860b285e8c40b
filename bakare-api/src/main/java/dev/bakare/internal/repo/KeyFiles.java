package dev.bakare.internal.repo;

import dev.bakare.KeyException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Where key files live on the user's machine, and writing them safely. */
public final class KeyFiles {
  private KeyFiles() {}

  public static Path defaultKeyFile(@Nullable Path configDirectory, String repositoryId) {
    Path dir = configDirectory != null ? configDirectory : UserDirectories.config(System.getenv());
    return dir.resolve("keys").resolve(repositoryId + ".key");
  }

  /**
   * Writes a new key file readable only by its owner (0600; its directory 0700 if created); never
   * replaces an existing file.
   */
  public static void write(Path file, byte[] content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    if (parent != null && !Files.isDirectory(parent)) {
      if (posix) {
        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(parent);
      }
    }
    FileAttribute<?>[] attributes = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    try (FileChannel channel = FileChannel.open(file,
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (FileAlreadyExistsException e) {
      throw new KeyException("key file " + file + " already exists: choose another path, bakare never overwrites a key", e);
    }
  }
}
