package dev.bakare.internal.backup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens source files and directories for reading; tests substitute one that fails the way disks and
 * permissions do.
 */
@FunctionalInterface
public interface FileOpener {
  FileOpener DEFAULT = path -> FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

  FileChannel open(Path path) throws IOException;

  /**
   * The entries of a directory. Iterating may fail part way with a {@link
   * java.nio.file.DirectoryIteratorException} (an I/O error while reading the directory).
   */
  default DirectoryStream<Path> list(Path directory) throws IOException {
    return Files.newDirectoryStream(directory);
  }
}
