package dev.bakare.store.fs;

import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StagedBlob;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StoreCapabilities;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The store behind {@link FileStorageProvider}; its class Javadoc describes the on-disk behaviour. */
final class FileBlobStore implements BlobStore {
  /** A whole blob is read into one array; this is the largest length every JVM allocates. */
  static final long MAX_BLOB_SIZE = Integer.MAX_VALUE - 8L;

  /**
   * A few puts in flight keep an SSD's queue busy and let the file system batch their syncs; many more
   * only make a spinning disk seek.
   */
  static final int RECOMMENDED_CONCURRENCY = 4;

  /** Temporary files start with '~', which no blob name segment contains: no blob collides with one. */
  static final String TEMP_PREFIX = "~put-";

  private static final String PROBE_PREFIX = "~probe-";

  /**
   * Reads and writes go through heap buffers in slices of this size: the JDK copies a heap buffer through
   * a temporary direct buffer of the same size and caches it per thread, so whole-blob transfers would
   * pin a blob-sized native buffer in every thread that ever did one.
   */
  private static final int IO_SLICE = 1 << 20;

  private final Path root;
  private final boolean hardLinks;
  private final boolean syncDirectories;
  private final @Nullable Set<PosixFilePermission> rootPermissions;
  private final FileAttribute<?>[] fileAttributes;
  private final FileAttribute<?>[] directoryAttributes;
  private final StoreCapabilities capabilities;
  private volatile boolean closed;

  private FileBlobStore(
      Path root, boolean hardLinks, boolean syncDirectories, @Nullable Set<PosixFilePermission> rootPermissions) {
    this.root = root;
    this.hardLinks = hardLinks;
    this.syncDirectories = syncDirectories;
    this.rootPermissions = rootPermissions;
    if (rootPermissions == null) {
      this.fileAttributes = new FileAttribute<?>[0];
      this.directoryAttributes = new FileAttribute<?>[0];
    } else {
      Set<PosixFilePermission> filePermissions = EnumSet.noneOf(PosixFilePermission.class);
      filePermissions.addAll(rootPermissions);
      filePermissions.removeAll(
          EnumSet.of(
              PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
      this.fileAttributes = new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(filePermissions)};
      this.directoryAttributes = new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(rootPermissions)};
    }
    this.capabilities = new StoreCapabilities(hardLinks, RECOMMENDED_CONCURRENCY, MAX_BLOB_SIZE, true);
  }

  /**
   * Opens the store in the existing directory {@code root}, learning once what its file system can do:
   * POSIX permissions, hard links (atomic create-only), syncing directories. {@code created} lists the
   * directories just made for it, outermost first: their parents are synced, so that the repository
   * itself survives a crash, not only the blobs in it.
   */
  static FileBlobStore open(Path root, List<Path> created) throws StorageException {
    try {
      boolean posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
      Set<PosixFilePermission> permissions = posix ? Files.getPosixFilePermissions(root) : null;
      boolean syncDirectories = canSyncDirectories(root, posix);
      FileBlobStore store = new FileBlobStore(root, supportsHardLinks(root), syncDirectories, permissions);
      for (Path directory : created) {
        store.syncDirectory(directory.getParent());
      }
      return store;
    } catch (IOException e) {
      throw FileErrors.of("opening repository directory " + root, root, e);
    }
  }

  /**
   * The same store publishing create-only puts without hard links, as on a file system that has none:
   * the fallback cannot be reached otherwise on a machine whose file systems all have them.
   */
  FileBlobStore withoutHardLinks() {
    return new FileBlobStore(root, false, syncDirectories, rootPermissions);
  }

  @Override
  public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
    store(name, mode, temp -> write(temp, content));
  }

  /** Copies the file's bytes into the blob's temporary file inside the kernel: no buffer in this process. */
  @Override
  public void putFrom(BlobName name, FileChannel source, long length, PutMode mode) throws StorageException {
    capabilities.checkBlobLength(name, length);
    store(name, mode, temp -> copy(name, source, length, temp));
  }

  /**
   * A temporary file in the repository directory, named as a put's are: publishing it links or renames
   * it into the blob's directory, on the same file system, instead of copying its bytes there.
   */
  @Override
  public Optional<StagedBlob> stage() throws StorageException {
    checkOpen();
    Path temp = null;
    try {
      temp = createTemp(root);
      return Optional.of(new Staged(temp, FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)));
    } catch (IOException e) {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      if (!Files.isDirectory(root)) {
        throw rootGone();
      }
      throw FileErrors.of("creating a file to stage a blob in " + root, root, e);
    }
  }

  /** Writes a blob's bytes into its temporary file. */
  @FunctionalInterface
  private interface BlobBytes {
    void writeTo(Path temp) throws IOException;
  }

  /** Writes the blob under a temporary name, syncs it and publishes it under its own name. */
  private void store(BlobName name, PutMode mode, BlobBytes content) throws StorageException {
    checkOpen();
    Path target = pathOf(name);
    Path directory = target.getParent();
    String action = "writing blob " + name + " at " + target;
    Path temp = null;
    try {
      if (mode == PutMode.CREATE_ONLY && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        // Spares writing and syncing a blob that cannot be published; the link below still decides races.
        throw new BlobAlreadyExistsException(name, root.toString());
      }
      ensureDirectory(directory);
      temp = createTemp(directory);
      content.writeTo(temp);
      publish(name, temp, target, mode);
      syncDirectory(directory);
    } catch (IOException | RuntimeException e) {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      throw FileErrors.of(action, root, (IOException) e);
    }
  }

  @Override
  public ByteBuffer get(BlobName name) throws StorageException {
    checkOpen();
    Path path = pathOf(name);
    try (FileChannel channel = openBlob(name, path)) {
      long size = channel.size();
      if (size > MAX_BLOB_SIZE) {
        throw new StorageException(
            "blob " + name + " at " + path + " has " + size + " bytes, more than one buffer holds: read it in ranges");
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      readFully(channel, buffer, 0, name, path);
      return buffer.flip();
    } catch (IOException e) {
      throw readFailure(name, path, e);
    }
  }

  @Override
  public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
    if (length < 0) {
      throw new IllegalArgumentException(
          "cannot read blob " + name + " at offset " + offset + " with length " + length + ": both must be >= 0");
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    read(name, offset, buffer);
    return buffer.flip();
  }

  @Override
  public void read(BlobName name, long offset, ByteBuffer into) throws StorageException {
    int length = into.remaining();
    if (offset < 0) {
      throw new IllegalArgumentException(
          "cannot read blob " + name + " at offset " + offset + " with length " + length + ": both must be >= 0");
    }
    checkOpen();
    Path path = pathOf(name);
    try (FileChannel channel = openBlob(name, path)) {
      long size = channel.size();
      if (offset > size - length) {
        throw new StorageException(
            "blob "
                + name
                + " at "
                + path
                + " has "
                + size
                + " bytes, too few to read "
                + length
                + " at offset "
                + offset
                + ": the blob is shorter than its reference says (truncated or replaced)");
      }
      readFully(channel, into, offset, name, path);
    } catch (IOException e) {
      throw readFailure(name, path, e);
    }
  }

  @Override
  public Optional<BlobInfo> stat(BlobName name) throws StorageException {
    checkOpen();
    Path path = pathOf(name);
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      return attributes.isRegularFile() ? Optional.of(infoOf(name, attributes)) : Optional.empty();
    } catch (IOException e) {
      if (isAbsent(path, e)) {
        return Optional.empty();
      }
      throw FileErrors.of("reading the attributes of blob " + name + " at " + path, root, e);
    }
  }

  @Override
  public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
    BlobName.checkPrefix(prefix);
    checkOpen();
    // Only the directory named by the prefix's complete segments can hold matches, and in it only the
    // entries that start with the prefix's last, partial segment.
    int slash = prefix.lastIndexOf('/');
    String directoryName = prefix.substring(0, slash + 1);
    Path directory = directoryName.isEmpty() ? root : root.resolve(directoryName);
    try {
      walk(directory, directoryName, prefix.substring(slash + 1), consumer);
    } catch (IOException e) {
      throw FileErrors.of("listing blobs under '" + prefix + "' in " + directory, root, e);
    }
  }

  @Override
  public void delete(BlobName name) throws StorageException {
    checkOpen();
    Path path = pathOf(name);
    try {
      // A directory of that name holds other blobs and is no blob itself: there is nothing to delete.
      if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(path)) {
        syncDirectory(path.getParent());
      }
    } catch (IOException e) {
      if (!isAbsent(path, e)) {
        throw FileErrors.of("deleting blob " + name + " at " + path, root, e);
      }
    }
  }

  @Override
  public long removeIncompleteUploads(java.time.Duration age) throws StorageException {
    checkOpen();
    java.time.Instant cutoff = java.time.Instant.now().minus(age);
    long[] reclaimed = {0};
    try (java.util.stream.Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path fileName = p.getFileName();
        if (fileName == null || !fileName.toString().startsWith(TEMP_PREFIX)) {
          continue;
        }
        java.nio.file.attribute.BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException gone) {
          continue; // its put finished meanwhile
        }
        if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) {
          reclaimed[0] += a.size();
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      IOException cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
      throw FileErrors.of("removing leftovers of interrupted puts under " + root, root, cause);
    }
    return reclaimed[0];
  }

  @Override
  public StoreCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public String describe() {
    return root.toString();
  }

  @Override
  public void close() {
    closed = true;
  }

  private StorageException rootGone() {
    return new StorageException(
        "the repository directory " + root + " has disappeared: check that its disk is mounted and the path is right");
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the file store at " + root + " is closed: open it again to use it");
    }
  }

  private Path pathOf(BlobName name) {
    // Blob names have no empty, '.' or '..' segments, so the path cannot leave the root.
    return root.resolve(name.value());
  }

  // ---------------------------------------------------------------- writing

  /** Makes {@code directory} and its missing parents below the root, syncing each parent it changed. */
  private void ensureDirectory(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    if (directory.equals(root)) {
      throw rootGone();
    }
    Path parent = directory.getParent();
    ensureDirectory(parent);
    try {
      Files.createDirectory(directory, directoryAttributes);
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(directory)) {
        return; // another put made it meanwhile
      }
      throw e;
    }
    syncDirectory(parent);
  }

  private Path createTemp(Path directory) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Path temp = directory.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        return Files.createFile(temp, fileAttributes);
      } catch (FileAlreadyExistsException e) {
        // 64 random bits collide only with a leftover of a crashed put, and hardly ever twice.
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static void write(Path temp, ByteBuffer content) throws IOException {
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ByteBuffer source = content.duplicate();
      int end = source.limit();
      while (source.position() < end) {
        source.limit(Math.min(end, source.position() + IO_SLICE));
        while (source.hasRemaining()) {
          channel.write(source);
        }
      }
      channel.force(true);
    }
  }

  private static void copy(BlobName name, FileChannel source, long length, Path temp) throws IOException {
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      for (long copied = 0; copied < length; ) {
        long n = source.transferTo(copied, length - copied, channel);
        if (n <= 0) {
          // A blocking transfer returns nothing only at the source's end.
          throw new StorageException("the source of blob " + name + " ends after " + copied + " of " + length
              + " bytes: the caller changed it during the put");
        }
        copied += n;
      }
      channel.force(true);
    }
  }

  /** Gives the complete, synced temp file its blob name; the temp name is gone afterwards. */
  private void publish(BlobName name, Path temp, Path target, PutMode mode) throws IOException {
    try {
      link(name, temp, target, mode);
    } catch (AtomicMoveNotSupportedException e) {
      throw new StorageException(
          "cannot publish blob " + name + " at " + target + " atomically on this file system: use another file system",
          e);
    } catch (java.nio.file.NoSuchFileException e) {
      if (!Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
        // A prune removed it as a leftover while this put was paused past the session expiry.
        throw new StorageException("the temporary file of blob " + name + " vanished before it was published"
            + " (removed as a leftover while this process was paused): retry the put", e, true);
      }
      throw e;
    }
  }

  /**
   * Links or renames {@code temp} to {@code target}, never copying: a temp file on another file system
   * than the target fails with an {@link IOException} ({@link AtomicMoveNotSupportedException} or a
   * cross-device link error).
   */
  private void link(BlobName name, Path temp, Path target, PutMode mode) throws IOException {
    if (mode == PutMode.REPLACE) {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    try {
      if (hardLinks) {
        // link(2) fails if the name exists: of concurrent creators exactly one links its complete file.
        Files.createLink(target, temp);
        Files.delete(temp);
      } else {
        // Without hard links the check for an existing name and the rename are two steps; two creators
        // can both pass the check, which capabilities().atomicCreateOnly() admits.
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          throw new FileAlreadyExistsException(target.toString());
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
      throw new BlobAlreadyExistsException(name, root.toString());
    }
  }

  /**
   * Makes a change of the directory's entries (a new name, a rename, a removal) survive a crash; syncing
   * the file alone does not.
   */
  private void syncDirectory(Path directory) throws IOException {
    if (syncDirectories) {
      try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
        channel.force(true);
      }
    }
  }

  /** A staged blob: a temporary file in the repository directory until it is published or closed. */
  private final class Staged implements StagedBlob {
    private final Path temp;
    private final FileChannel channel;
    /** Whether the temporary name was given to a blob: linked (and removed) or renamed. */
    private boolean linked;
    private boolean closedFile;

    Staged(Path temp, FileChannel channel) {
      this.temp = temp;
      this.channel = channel;
    }

    @Override
    public FileChannel channel() {
      return channel;
    }

    @Override
    public void publish(BlobName name, PutMode mode) throws StorageException {
      checkOpen();
      if (closedFile) {
        throw new IllegalStateException("the staged file " + temp + " was closed; stage a new file for blob " + name);
      }
      Path target = pathOf(name);
      Path directory = target.getParent();
      try {
        long length = channel.size();
        capabilities.checkBlobLength(name, length);
        if (mode == PutMode.CREATE_ONLY && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
          throw new BlobAlreadyExistsException(name, root.toString());
        }
        channel.force(true);
        ensureDirectory(directory);
        try {
          link(name, temp, target, mode);
        } catch (StorageException e) {
          throw e;
        } catch (IOException e) {
          copyInstead(name, mode, length, e);
          return;
        }
        linked = true;
        syncDirectory(directory);
      } catch (StorageException e) {
        throw e;
      } catch (IOException e) {
        throw FileErrors.of("publishing blob " + name + " at " + target + " from its staged file " + temp, root, e);
      }
    }

    /**
     * Puts a copy of the staged bytes where linking the file failed: a prune removed its name as a
     * leftover while this process was paused (the open file still holds the bytes), the blob's directory
     * is on another file system, or the file was published before (a retry whose first answer was lost).
     */
    private void copyInstead(BlobName name, PutMode mode, long length, IOException linkFailure)
        throws StorageException {
      try {
        store(name, mode, copyTarget -> copy(name, channel, length, copyTarget));
      } catch (StorageException e) {
        e.addSuppressed(linkFailure);
        throw e;
      }
    }

    @Override
    public void close() throws StorageException {
      if (closedFile) {
        return;
      }
      closedFile = true;
      try {
        channel.close();
        if (!linked) {
          Files.deleteIfExists(temp);
        }
      } catch (IOException e) {
        throw FileErrors.of("removing the staged file " + temp, root, e);
      }
    }
  }

  // ---------------------------------------------------------------- reading

  private static FileChannel openBlob(BlobName name, Path path) throws IOException {
    // On Linux a directory opens like a file and fails only when read: check what the name is first.
    if (!Files.readAttributes(path, BasicFileAttributes.class).isRegularFile()) {
      throw new NoSuchFileException(path.toString(), null, "no regular file for blob " + name);
    }
    return FileChannel.open(path, StandardOpenOption.READ);
  }

  /** Reads the buffer's remaining bytes from the blob at {@code position}; the buffer's limit stays as it was. */
  private static void readFully(FileChannel channel, ByteBuffer buffer, long position, BlobName name, Path path)
      throws IOException {
    int start = buffer.position();
    int end = buffer.limit();
    try {
      while (buffer.position() < end) {
        buffer.limit(Math.min(end, buffer.position() + IO_SLICE));
        while (buffer.hasRemaining()) {
          long at = position + (buffer.position() - start);
          if (channel.read(buffer, at) < 0) {
            throw new StorageException("blob " + name + " at " + path + " ended after " + at
                + " bytes while it was read: it was changed outside bakare (blobs are never rewritten in place)");
          }
        }
      }
    } finally {
      buffer.limit(end);
    }
  }

  private StorageException readFailure(BlobName name, Path path, IOException e) {
    if (isAbsent(path, e)) {
      return new BlobNotFoundException(name, root.toString());
    }
    return FileErrors.of("reading blob " + name + " at " + path, root, e);
  }

  /**
   * Whether {@code e} says the blob at {@code path} does not exist: the file is missing, or a blob's file
   * stands where a directory on the way would be (blob {@code a} exists, so {@code a/b} cannot).
   */
  private boolean isAbsent(Path path, IOException e) {
    if (e instanceof NoSuchFileException) {
      return true;
    }
    for (Path ancestor = path.getParent(); ancestor != null && !ancestor.equals(root); ancestor = ancestor.getParent()) {
      if (Files.isRegularFile(ancestor)) {
        return true;
      }
    }
    return false;
  }

  private static BlobInfo infoOf(BlobName name, BasicFileAttributes attributes) {
    return new BlobInfo(name, attributes.size(), attributes.lastModifiedTime().toInstant());
  }

  /**
   * Reports the blobs in {@code directory} (whose blob names start with {@code directoryName}) whose
   * entry starts with {@code start}, and every blob in the subdirectories among them.
   */
  private void walk(Path directory, String directoryName, String start, Consumer<? super BlobInfo> consumer)
      throws IOException {
    List<String> subdirectories = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String segment = entry.getFileName().toString();
        String name = directoryName + segment;
        // Temp and probe files contain '~' and foreign files may have any name: neither is a blob.
        if (!segment.startsWith(start) || !BlobName.isValid(name)) {
          continue;
        }
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(entry, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue; // deleted since the directory was read, or a dangling link: no blob either way
        }
        if (attributes.isRegularFile()) {
          consumer.accept(infoOf(BlobName.of(name), attributes));
        } else if (attributes.isDirectory()) {
          subdirectories.add(name);
        }
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    } catch (NoSuchFileException | NotDirectoryException e) {
      if (directory.equals(root)) {
        throw rootGone();
      }
      return; // no directory there (or a blob's file): no blobs below it
    }
    // Descend after closing this directory, so that deep trees do not hold one handle per level.
    for (String subdirectory : subdirectories) {
      walk(root.resolve(subdirectory), subdirectory + "/", "", consumer);
    }
  }

  // ---------------------------------------------------------------- probing the file system

  /**
   * Whether the file system links files: then create-only puts are atomic. When the directory cannot be
   * written at all there is nothing to probe; every put will fail with its own clear error, and a
   * read-only repository must still open, so the answer is yes.
   */
  private static boolean supportsHardLinks(Path root) throws IOException {
    String id = Long.toHexString(ThreadLocalRandom.current().nextLong());
    Path probe = root.resolve(PROBE_PREFIX + id);
    Path link = root.resolve(PROBE_PREFIX + id + "~link");
    try {
      Files.createFile(probe);
    } catch (IOException e) {
      if (FileErrors.of("creating probe file " + probe, root, e).isTransient()) {
        throw e;
      }
      return true; // permission denied, a read-only or full file system: see above
    }
    try {
      Files.createLink(link, probe);
      return true;
    } catch (UnsupportedOperationException | IOException e) {
      // FAT, exFAT, some FUSE and SMB mounts: EPERM or ENOTSUP. Create-only falls back to a non-atomic
      // check and rename and says so in the capabilities.
      return false;
    } finally {
      Files.deleteIfExists(link);
      Files.deleteIfExists(probe);
    }
  }

  /**
   * Whether directories can be synced. They can on Linux and the BSDs (macOS included). Windows refuses to
   * open a directory as a file, which the JDK reports as access denied; there, as in Lucene's fsync, that
   * one exception means "not possible here" (NTFS journals its metadata) and nothing else is ignored.
   */
  private static boolean canSyncDirectories(Path root, boolean posix) throws IOException {
    try (FileChannel channel = FileChannel.open(root, StandardOpenOption.READ)) {
      channel.force(true);
      return true;
    } catch (AccessDeniedException e) {
      if (posix) {
        throw e;
      }
      return false;
    }
  }
}
