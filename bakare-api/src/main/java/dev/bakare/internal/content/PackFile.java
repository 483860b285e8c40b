package dev.bakare.internal.content;

import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StagedBlob;
import dev.bakare.store.spi.StorageException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The file a pack is written into while it is filled ({@link PackBody.InFile}), and how the finished pack
 * reaches the store: a local file of this process's own, copied to the store and then emptied for the
 * next pack ({@link Local}), or a file the store staged where it keeps its blobs, published by naming it,
 * the next pack getting a new one ({@link Staged}). Used by one thread at a time.
 */
abstract sealed class PackFile implements Closeable {

  /** The file, open for reading and writing. */
  abstract FileChannel channel() throws IOException;

  /** Where the file is, for messages: "in DIRECTORY". */
  abstract String location();

  /** What to do when the file cannot be written. */
  abstract String advice();

  /**
   * Puts the file's first {@code length} bytes (all it holds) under {@code name} in {@code store}, the
   * writer's store; a file the store staged is published through the store that staged it, the same one.
   */
  abstract void upload(BlobStore store, BlobName name, long length, PutMode mode) throws StorageException;

  /** Empties it for the next pack. */
  abstract void reset() throws IOException;

  /**
   * A file in a local directory whose name is removed as soon as it is open, so that nothing is left
   * behind when the process dies; the store copies it ({@link BlobStore#putFrom}).
   */
  static final class Local extends PackFile {
    /** What to do when a local staging file cannot be made or written. */
    static final String ADVICE = "check free space there, or set RepositoryOptions.cacheDirectory elsewhere";

    private final Path directory;
    private final FileChannel file;

    /** @param file an empty file in {@code directory}, open for reading and writing, which this closes */
    Local(Path directory, FileChannel file) {
      this.directory = directory;
      this.file = file;
    }

    @Override
    FileChannel channel() {
      return file;
    }

    @Override
    String location() {
      return "in " + directory;
    }

    @Override
    String advice() {
      return ADVICE;
    }

    @Override
    void upload(BlobStore store, BlobName name, long length, PutMode mode) throws StorageException {
      store.putFrom(name, file, length, mode);
    }

    @Override
    void reset() throws IOException {
      file.truncate(0);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  /**
   * A file the store staged ({@link BlobStore#stage}), made when the pack's first bytes are written: once
   * published it is the pack, so each pack gets its own. One left unpublished is removed when the next
   * pack starts or this closes; a process that dies leaves it to the store's removal of leftovers.
   */
  static final class Staged extends PackFile {
    private final BlobStore store;
    private @Nullable StagedBlob staged;

    Staged(BlobStore store) {
      this.store = store;
    }

    @Override
    FileChannel channel() throws IOException {
      StagedBlob current = staged;
      if (current == null) {
        current = store.stage().orElseThrow(() -> new IllegalStateException(
            "store " + store.describe() + " stopped staging blobs; stage packs elsewhere"));
        staged = current;
      }
      return current.channel();
    }

    @Override
    String location() {
      return "in the repository " + store.describe();
    }

    @Override
    String advice() {
      return "check free space there";
    }

    @Override
    void upload(BlobStore sameStore, BlobName name, long length, PutMode mode) throws StorageException {
      StagedBlob current = staged;
      if (current == null) {
        throw new IllegalStateException("pack " + name + " has no staged file: nothing was written into it");
      }
      current.publish(name, mode);
    }

    @Override
    void reset() throws IOException {
      close();
    }

    @Override
    public void close() throws IOException {
      StagedBlob current = staged;
      staged = null;
      if (current != null) {
        current.close();
      }
    }
  }
}
