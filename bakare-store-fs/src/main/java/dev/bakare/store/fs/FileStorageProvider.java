package dev.bakare.store.fs;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Stores blobs as files in a local directory: {@code file:} URIs ({@code file:///backups/repo}, or
 * {@code file:repo} relative to the working directory) and plain paths, which {@link
 * StorageLocation#parse} turns into {@code file:} URIs. Blob {@code data/ab/abcd} is the file {@code
 * <root>/data/ab/abcd}. It takes no options.
 *
 * <p>How the {@link BlobStore} guarantees are kept:
 *
 * <ul>
 *   <li>A put writes a temporary file in the blob's directory, named {@code ~put-} and 16 hex digits:
 *       short enough for any file system beside a 255-character blob segment, and never a blob, since
 *       {@code ~} is in no blob name. It syncs the file, then publishes it: {@code REPLACE} renames it
 *       over the name (atomic); {@code CREATE_ONLY} hard-links it to the name, which fails if the name
 *       exists, so of concurrent creators exactly one wins. Last, it syncs the directory, so the new
 *       name survives a crash too. Directories are made on demand, and their parents synced. On failure
 *       the temporary file is removed; after a crash, one may be left over, ignored by every operation.
 *   <li>A staged blob ({@link BlobStore#stage}) is such a temporary file in the repository directory
 *       itself, written by the caller; publishing syncs it and links or renames it into the blob's
 *       directory the same way, without copying it. Where that fails (the file was removed as a leftover
 *       while its process was paused, or the blob's directory is on another file system), the bytes are
 *       copied from the still open file into a new temporary file there, as any put does.
 *   <li>Where the file system has no hard links (FAT, some network mounts; probed once when opening),
 *       create-only is a check and a rename, which two creators can both pass: {@link
 *       dev.bakare.store.spi.StoreCapabilities#atomicCreateOnly()} then says false.
 *   <li>A delete syncs the directory too, so a deleted blob stays deleted after a crash.
 *   <li>Listing walks only the directory the prefix names ({@code data/a} reads {@code <root>/data} and
 *       descends into its entries starting with {@code a}) and reports only regular files whose path is
 *       a valid blob name.
 * </ul>
 *
 * <p>Permissions, where the file system has POSIX permissions: a repository directory this provider
 * creates is {@code 0700}; directories made inside take the repository directory's permissions, and
 * files the same without execute bits, both further limited by the umask. So a new repository is
 * private to its owner ({@code 0600} files) and one that several users share through a group is made so
 * once, with {@code chmod 0750} (or {@code 2770}) of its directory.
 *
 * <p>On a case-insensitive file system (the defaults of macOS and Windows), names that differ only in case
 * are one blob; bakare names blobs in lower case.
 */
public final class FileStorageProvider implements StorageProvider {
  /** The URI scheme served, {@code file}. */
  public static final String SCHEME = "file";

  /** Cheap: the work happens in {@link #open}. */
  public FileStorageProvider() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Opens the repository directory. {@link OpenMode#EXISTING} requires it to exist; {@link
   * OpenMode#CREATE} makes it and its parents where missing.
   */
  @Override
  public BlobStore open(StorageLocation location, OpenMode mode) throws StorageException {
    if (!location.scheme().equals(SCHEME)) {
      throw new StorageException(
          "the file storage provider cannot open " + location + ": it serves file: URIs and plain paths only");
    }
    if (!location.options().isEmpty()) {
      throw new StorageException(
          "unknown option "
              + new TreeSet<>(location.options().keySet())
              + " for "
              + location
              + ": the file storage provider takes no options; remove it");
    }
    Path root = rootOf(location.uri());
    List<Path> created = List.of();
    if (mode == OpenMode.CREATE) {
      created = create(root);
    } else {
      requireDirectory(root);
    }
    return FileBlobStore.open(root, created);
  }

  private static Path rootOf(URI uri) throws StorageException {
    if (uri.getFragment() != null) {
      throw malformed(uri, "it has a fragment (#" + uri.getFragment() + ")", null);
    }
    try {
      Path path = uri.isOpaque() ? Path.of(uri.getSchemeSpecificPart()) : Path.of(uri);
      return path.toAbsolutePath().normalize();
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      throw malformed(uri, String.valueOf(e.getMessage()), e);
    }
  }

  private static StorageException malformed(URI uri, String problem, @Nullable Exception cause) {
    return new StorageException(
        "malformed file location '"
            + uri
            + "': "
            + problem
            + ": write a plain path or file:///absolute/path (no host, query or fragment)",
        cause);
  }

  private static void requireDirectory(Path root) throws StorageException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(root, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new StorageException(
          "no repository directory at " + root + " (it does not exist): check the path or run init", e);
    } catch (IOException e) {
      throw FileErrors.of("opening repository directory " + root, root, e);
    }
    if (!attributes.isDirectory()) {
      throw new StorageException(
          "no repository directory at " + root + " (it is a file, not a directory): check the path");
    }
  }

  /** Makes the repository directory and its missing parents; returns those it made, outermost first. */
  private static List<Path> create(Path root) throws StorageException {
    List<Path> missing = new ArrayList<>();
    for (Path path = root; path != null && !Files.isDirectory(path); path = path.getParent()) {
      missing.add(0, path);
    }
    for (Path path : missing) {
      try {
        Files.createDirectory(path, path.equals(root) ? privateDirectory(root) : new FileAttribute<?>[0]);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(path)) {
          throw new StorageException(
              "cannot create repository directory " + root + ": " + path + " exists and is not a directory:"
                  + " choose another path",
              e);
        }
        // Another process made it meanwhile; syncing its parent again below is harmless.
      } catch (IOException e) {
        throw FileErrors.of("creating repository directory " + root, root, e);
      }
    }
    return missing;
  }

  private static FileAttribute<?>[] privateDirectory(Path root) {
    if (root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))};
    }
    return new FileAttribute<?>[0];
  }
}
