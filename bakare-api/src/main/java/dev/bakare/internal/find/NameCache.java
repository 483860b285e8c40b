package dev.bakare.internal.find;

import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.CorruptDataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name index's files in the local cache directory, {@code <cache>/<repository id>/names/}: one
 * generation of files {@code <generation>-<sequence>.names}, each sealed with a key derived from the
 * repository's master private key (docs/design.md, "Name index"). Everything happens under an exclusive
 * lock ({@code names/lock}), so concurrent searches of one repository take turns building and never see
 * a file being replaced. Directories are created 0700 and files 0600.
 */
final class NameCache implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NameCache.class.getName());
  private static final byte[] MAGIC = "BKNI".getBytes(StandardCharsets.US_ASCII);
  private static final int FILE_VERSION = 1;
  private static final String PURPOSE = "bakare name index v1";
  private static final Pattern FILE_NAME = Pattern.compile("([0-9]{1,9})-([0-9]{1,9})\\.names");
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  /** File locks belong to the process; threads of one process exclude each other here first. */
  private static final Map<Path, ReentrantLock> LOCAL_LOCKS = new ConcurrentHashMap<>();

  private final Path directory;
  private final Aead aead;
  private final ReentrantLock localLock;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private NameCache(Path directory, Aead aead, ReentrantLock localLock, FileChannel lockChannel, FileLock lock) {
    this.directory = directory;
    this.aead = aead;
    this.localLock = localLock;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** {@code $XDG_CACHE_HOME/bakare}, or {@code ~/.cache/bakare} when it is unset or empty. */
  static Path defaultRoot(Map<String, String> environment) {
    String xdg = environment.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isEmpty()) {
      return Path.of(xdg, "bakare");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "bakare");
  }

  /**
   * The key sealing the cache: derived from the master private key, so the cache of a repository reveals
   * nothing without its full key, and a cache made for another repository fails to open.
   */
  static byte[] key(byte[] masterPrivateKey, String repositoryId) {
    return Crypto.hkdf(masterPrivateKey, repositoryId.getBytes(StandardCharsets.US_ASCII),
        PURPOSE.getBytes(StandardCharsets.US_ASCII), AeadAlgorithm.KEY_LENGTH);
  }

  /** Opens (creating it if needed) and locks the cache directory of one repository. */
  static NameCache open(Path root, String repositoryId, Aead aead) throws IOException {
    Path directory = root.resolve(repositoryId).resolve("names").toAbsolutePath().normalize();
    createPrivateDirectories(directory);
    ReentrantLock localLock = LOCAL_LOCKS.computeIfAbsent(directory, d -> new ReentrantLock());
    localLock.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(directory.resolve("lock"), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
          privateFile());
      FileLock lock = channel.lock();
      return new NameCache(directory, aead, localLock, channel, lock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        closeAfterFailure(channel, e);
      }
      localLock.unlock();
      throw e;
    }
  }

  private static void closeAfterFailure(FileChannel channel, Exception failure) {
    try {
      channel.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  Path directory() {
    return directory;
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] privateFile() {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  /**
   * Creates the missing directories of {@code directory} 0700, and makes {@code names/} and {@code
   * <repository id>/} 0700 if they are not (the cache root may be a directory the user shares, left as is).
   */
  private static void createPrivateDirectories(Path directory) throws IOException {
    if (!posix()) {
      Files.createDirectories(directory);
      return;
    }
    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    // They hold file names of backups: only their owner may look in.
    Path dir = directory;
    for (int i = 0; i < 2 && dir != null; i++, dir = dir.getParent()) {
      if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
      }
    }
  }

  /**
   * Loads the newest generation. A damaged, foreign or unreadable-by-this-key file, or a gap in the
   * chain, makes the whole index be rebuilt: the files are deleted and an empty index of the next
   * generation returned, with a warning. Older generations (left by an interrupted compaction) and
   * temporary files (left by an interrupted write) are deleted.
   */
  NameIndex load(List<String> warnings) throws IOException {
    TreeMap<Integer, TreeMap<Integer, Path>> generations = new TreeMap<>();
    List<Path> others = new ArrayList<>();
    try (var files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        Matcher m = FILE_NAME.matcher(name);
        if (m.matches()) {
          generations.computeIfAbsent(Integer.parseInt(m.group(1)), g -> new TreeMap<>())
              .put(Integer.parseInt(m.group(2)), file);
        } else if (name.endsWith(".tmp")) {
          others.add(file);
        }
      }
    }
    for (Path leftover : others) {
      Files.deleteIfExists(leftover);
    }
    if (generations.isEmpty()) {
      return new NameIndex(0);
    }
    int generation = generations.lastKey();
    deleteGenerationsBelow(generation);
    NameIndex index = new NameIndex(generation);
    int expected = 0;
    for (Map.Entry<Integer, Path> file : generations.get(generation).entrySet()) {
      try {
        if (file.getKey() != expected) {
          throw new CorruptDataException("file " + expected + " of the chain is missing");
        }
        index.add(NameSegment.decode(open(Files.readAllBytes(file.getValue()), file.getValue()), generation,
            expected, index.treeCount()));
        expected++;
      } catch (CorruptDataException e) {
        String warning = "the name index cache in " + directory + " is damaged (" + file.getValue().getFileName() + ": "
            + e.getMessage() + "); rebuilding it from the snapshots";
        LOG.log(System.Logger.Level.WARNING, warning);
        warnings.add(warning);
        deleteGenerationsBelow(generation + 1);
        return new NameIndex(generation + 1);
      }
    }
    return index;
  }

  /** Deletes every file of generations older than {@code generation}. */
  void deleteGenerationsBelow(int generation) throws IOException {
    try (var files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher m = FILE_NAME.matcher(file.getFileName().toString());
        if (m.matches() && Integer.parseInt(m.group(1)) < generation) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** Seals and writes one file; it appears under its name complete or not at all. */
  void write(int generation, int sequence, byte[] plaintext) throws IOException {
    String name = generation + "-" + sequence + ".names";
    byte[] nonce = Crypto.randomBytes(AeadAlgorithm.NONCE_LENGTH);
    byte[] sealed = new byte[MAGIC.length + 1 + nonce.length + plaintext.length + AeadAlgorithm.TAG_LENGTH];
    System.arraycopy(MAGIC, 0, sealed, 0, MAGIC.length);
    sealed[MAGIC.length] = FILE_VERSION;
    System.arraycopy(nonce, 0, sealed, MAGIC.length + 1, nonce.length);
    aead.seal(nonce, associatedData(name), plaintext, 0, plaintext.length, sealed, MAGIC.length + 1 + nonce.length);
    Path temporary = directory.resolve("." + name + "." + HexFormat.of().formatHex(Crypto.randomBytes(6)) + ".tmp");
    try (FileChannel channel = FileChannel.open(temporary,
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), privateFile())) {
      ByteBuffer buffer = ByteBuffer.wrap(sealed);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    }
    try {
      Files.move(temporary, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private byte[] open(byte[] file, Path path) throws CorruptDataException {
    int header = MAGIC.length + 1 + AeadAlgorithm.NONCE_LENGTH;
    if (file.length < header + AeadAlgorithm.TAG_LENGTH || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptDataException("not a bakare name index file");
    }
    if (file[MAGIC.length] != FILE_VERSION) {
      throw new CorruptDataException("name index file version " + file[MAGIC.length] + " is not supported");
    }
    byte[] nonce = Arrays.copyOfRange(file, MAGIC.length + 1, header);
    return aead.open(nonce, associatedData(path.getFileName().toString()), file, header, file.length - header);
  }

  private static byte[] associatedData(String fileName) {
    return (PURPOSE + " " + fileName).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      try {
        lockChannel.close();
      } finally {
        localLock.unlock();
      }
    }
  }
}
