package dev.bakare.internal.content;

import dev.bakare.internal.cache.CacheFiles;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.StagedBlob;
import dev.bakare.store.spi.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where packs are kept while they are filled and uploaded: in memory, in files in a local directory, or
 * in files the store stages where it keeps its blobs ({@link BlobStore#stage}). Files suit stores that put
 * from a file without reading it into memory ({@code StoreCapabilities.streamsFromFiles}): a backup's
 * memory then does not grow with the pack size or the uploads in flight. A store's own staging also
 * spares copying each pack into the store: publishing names the file. The files hold sealed pack bytes
 * only, exactly what the store receives.
 */
public final class PackStaging {
  private static final System.Logger LOG = System.getLogger(PackStaging.class.getName());

  private final @Nullable Path directory;
  private final @Nullable BlobStore store;

  private PackStaging(@Nullable Path directory, @Nullable BlobStore store) {
    this.directory = directory;
    this.store = store;
  }

  public static PackStaging inMemory() {
    return new PackStaging(null, null);
  }

  /** Stages packs in files in {@code directory}, created if missing; fails when no file can be made there. */
  public static PackStaging inFiles(Path directory) {
    return new PackStaging(directory, null);
  }

  /**
   * Stages packs in files that {@code store} makes where it keeps its blobs, and publishes them there by
   * name; fails when the store cannot stage one.
   */
  private static PackStaging inStore(BlobStore store) {
    return new PackStaging(null, store);
  }

  /**
   * Stages packs in the store's own files ({@link #inStore}) if it stages blobs and one can be made now;
   * else as {@link #inFilesIfPossible} in {@code directory} when the store puts from files without
   * reading them into memory, else in memory. Decided once, so that the memory a writer plans for holds.
   */
  public static PackStaging choose(BlobStore store, Path directory) {
    try {
      Optional<StagedBlob> probe = store.stage();
      if (probe.isPresent()) {
        probe.get().close();
        return inStore(store);
      }
    } catch (StorageException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot stage packs in the repository " + store.describe() + " ("
          + e.getMessage() + "): staging them elsewhere and copying each into the repository instead, which"
          + " takes more time; check that the repository directory is writable and has free space");
    }
    return store.capabilities().streamsFromFiles() ? inFilesIfPossible(directory) : inMemory();
  }

  /**
   * Stages packs in files in {@code directory} if a file can be made there now, else in memory, saying so
   * in a warning: the choice is made once, so that the memory a writer plans for holds.
   */
  public static PackStaging inFilesIfPossible(Path directory) {
    try {
      createUnnamedFile(directory).close();
      return inFiles(directory);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot stage packs in files in " + directory + " (" + e.getMessage()
          + "): keeping them in memory instead, which takes more memory; check that the directory is writable"
          + " and has free space, or set RepositoryOptions.cacheDirectory elsewhere");
      return inMemory();
    }
  }

  /**
   * Whether packs go to files: then a pack being filled or uploaded costs a file and a small buffer, not
   * its size in memory.
   */
  public boolean inFiles() {
    return directory != null || store != null;
  }

  /**
   * A body for a new pack: a file when staging in files, else an array of about {@code initialCapacity}
   * bytes growing to about {@code expectedSize}.
   *
   * @throws IOException if staging in files and no file can be made
   */
  PackBody newBody(int initialCapacity, int expectedSize) throws IOException {
    BlobStore stagingStore = store;
    if (stagingStore != null) {
      return new PackBody.InFile(new PackFile.Staged(stagingStore));
    }
    Path dir = directory;
    if (dir == null) {
      return new PackBody.InMemory(new byte[Math.max(4096, initialCapacity)], expectedSize);
    }
    try {
      return new PackBody.InFile(new PackFile.Local(dir, createUnnamedFile(dir)));
    } catch (IOException e) {
      throw new IOException("cannot create a file to stage a pack in " + dir + ": " + e.getMessage()
          + " (" + PackFile.Local.ADVICE + ")", e);
    }
  }

  /**
   * A new file open for reading and writing, whose name is removed at once: the bytes go away when the
   * channel is closed or the process dies, whichever comes first.
   */
  private static FileChannel createUnnamedFile(Path directory) throws IOException {
    CacheFiles.createPrivateDirectories(directory);
    Path file = Files.createTempFile(directory, "pack-", CacheFiles.TEMPORARY_SUFFIX, CacheFiles.privateFile());
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Files.delete(file);
      return channel;
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }
}
