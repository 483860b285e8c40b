package dev.bakare.internal.find;

import dev.bakare.internal.cache.CacheFiles;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.CorruptDataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

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
  private static final int SEAL_OVERHEAD = AeadAlgorithm.NONCE_LENGTH + AeadAlgorithm.TAG_LENGTH;
  private static final String PURPOSE = "bakare name index v1";
  private static final Pattern FILE_NAME = Pattern.compile("([0-9]{1,9})-([0-9]{1,9})\\.names");
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
    CacheFiles.createPrivateDirectories(directory);
    ReentrantLock localLock = LOCAL_LOCKS.computeIfAbsent(directory, d -> new ReentrantLock());
    localLock.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(directory.resolve("lock"), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
          CacheFiles.privateFile());
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

  /**
   * Loads the newest generation. A damaged, foreign or unreadable-by-this-key file, or a gap in the
   * chain, makes the whole index be rebuilt: the files are deleted and an empty index of the next
   * generation returned, with a warning. Older generations (left by an interrupted compaction) and
   * temporary files (left by an interrupted write) are deleted. The files stay open until the index is
   * closed, so their posting blocks can be read on demand even if another process replaces them.
   */
  NameIndex load(List<String> warnings) throws IOException {
    TreeMap<Integer, TreeMap<Integer, Path>> generations = new TreeMap<>();
    List<Path> leftovers = new ArrayList<>();
    try (var files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        Matcher m = FILE_NAME.matcher(name);
        if (m.matches()) {
          generations.computeIfAbsent(Integer.parseInt(m.group(1)), g -> new TreeMap<>())
              .put(Integer.parseInt(m.group(2)), file);
        } else if (name.endsWith(CacheFiles.TEMPORARY_SUFFIX)) {
          leftovers.add(file);
        }
      }
    }
    for (Path leftover : leftovers) {
      Files.deleteIfExists(leftover);
    }
    if (generations.isEmpty()) {
      return new NameIndex(0);
    }
    int generation = generations.lastKey();
    deleteGenerationsBelow(generation);
    NameIndex index = new NameIndex(generation);
    int expected = 0;
    try {
      for (Map.Entry<Integer, Path> file : generations.get(generation).entrySet()) {
        if (file.getKey() != expected) {
          throw new CorruptDataException("file " + expected + " of the chain is missing");
        }
        index.add(read(file.getValue(), generation, expected, index.treeCount()));
        expected++;
      }
      return index;
    } catch (CorruptDataException e) {
      index.close();
      return discard(e.getMessage(), warnings);
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
  }

  /**
   * Deletes every file of the index after damage was found, and returns an empty index of the next
   * generation (so no new file can be confused with an old one), with a warning.
   */
  NameIndex discard(@Nullable String reason, List<String> warnings) throws IOException {
    String warning = "the name index cache in " + directory + " is damaged (" + reason
        + "); rebuilding it from the snapshots";
    LOG.log(System.Logger.Level.WARNING, warning);
    warnings.add(warning);
    int newest = -1;
    try (var files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher m = FILE_NAME.matcher(file.getFileName().toString());
        if (m.matches()) {
          newest = Math.max(newest, Integer.parseInt(m.group(1)));
        }
      }
    }
    deleteGenerationsBelow(newest + 1);
    return new NameIndex(newest + 1);
  }

  private NameFile read(Path path, int generation, int sequence, int treeBase) throws IOException, CorruptDataException {
    String name = path.getFileName().toString();
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = channel.size();
      ByteBuffer prefix = readFully(channel, 0, MAGIC.length + 5, size);
      byte[] magic = new byte[MAGIC.length];
      prefix.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new CorruptDataException(name + ": not a bakare name index file");
      }
      int version = prefix.get();
      if (version != FILE_VERSION) {
        throw new CorruptDataException(name + ": name index file version " + version + " is not supported");
      }
      long headLength = prefix.getInt() & 0xFFFF_FFFFL;
      long headAt = MAGIC.length + 5;
      byte[] head = open(readFully(channel, headAt, headLength, size), name, "head");
      FileParts parts = new FileParts(channel, name, headAt + headLength);
      NameFile file;
      try {
        file = NameFile.open(head, parts, generation, sequence, treeBase);
      } catch (CorruptDataException e) {
        throw new CorruptDataException(name + ": " + e.getMessage(), e);
      }
      parts.layout(file, size);
      return file;
    } catch (IOException | CorruptDataException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static ByteBuffer readFully(FileChannel channel, long at, long length, long size)
      throws IOException, CorruptDataException {
    if (at + length > size || length > Integer.MAX_VALUE - 64) {
      throw new CorruptDataException("truncated: " + length + " bytes wanted at " + at + " of " + size);
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) length);
    if (!CacheFiles.readFully(channel, at, buffer)) {
      throw new CorruptDataException("truncated at " + (at + buffer.position()));
    }
    return buffer.flip();
  }

  /** The sealed parts after a file's head, read and opened on demand. */
  private final class FileParts implements NameFile.Parts {
    private final FileChannel channel;
    private final String name;
    private final long blocksAt;
    private long[] blockOffsets = new long[1];
    private long idsAt;
    private long size;

    FileParts(FileChannel channel, String name, long blocksAt) {
      this.channel = channel;
      this.name = name;
      this.blocksAt = blocksAt;
    }

    /** Works out where each sealed part lies, and checks that they fill the file exactly. */
    void layout(NameFile file, long fileSize) throws CorruptDataException {
      blockOffsets = new long[file.blockCount() + 1];
      blockOffsets[0] = blocksAt;
      for (int b = 0; b < file.blockCount(); b++) {
        blockOffsets[b + 1] = blockOffsets[b] + SEAL_OVERHEAD + file.blockLength(b);
      }
      idsAt = blockOffsets[file.blockCount()];
      size = fileSize;
      if (idsAt + SEAL_OVERHEAD + file.idsLength() != fileSize) {
        throw new CorruptDataException(name + ": file has " + fileSize + " bytes, its head describes "
            + (idsAt + SEAL_OVERHEAD + file.idsLength()));
      }
    }

    @Override
    public byte[] block(int index, int length) throws IOException, CorruptDataException {
      return open(readFully(channel, blockOffsets[index], SEAL_OVERHEAD + (long) length, size), name, "block " + index);
    }

    @Override
    public byte[] ids(int length) throws IOException, CorruptDataException {
      return open(readFully(channel, idsAt, SEAL_OVERHEAD + (long) length, size), name, "ids");
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
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
  void write(NameFileWriter.Encoded encoded) throws IOException {
    String name = encoded.generation() + "-" + encoded.sequence() + ".names";
    byte[] head = seal(encoded.head(), name, "head");
    CacheFiles.replaceWith(directory.resolve(name), channel -> {
      ByteBuffer prefix = ByteBuffer.allocate(MAGIC.length + 5).put(MAGIC).put((byte) FILE_VERSION).putInt(head.length);
      CacheFiles.writeFully(channel, prefix.flip());
      CacheFiles.writeFully(channel, ByteBuffer.wrap(head));
      for (int b = 0; b < encoded.blocks().length; b++) {
        CacheFiles.writeFully(channel, ByteBuffer.wrap(seal(encoded.blocks()[b], name, "block " + b)));
      }
      CacheFiles.writeFully(channel, ByteBuffer.wrap(seal(encoded.ids(), name, "ids")));
      channel.force(false);
    });
  }

  /**
   * {@code nonce[12] || AEAD(key, nonce, "bakare name index v1 " + file name + " " + part, plaintext)}:
   * every part of every file is sealed on its own, bound to its place, so parts cannot be swapped.
   * Parts are at most a few MiB (blocks 64 KiB), which JDK 17 opens quickly even before its AES-GCM
   * code is compiled; one big message took a second per 30 MiB there.
   */
  private byte[] seal(byte[] plaintext, String fileName, String part) {
    byte[] nonce = Crypto.randomBytes(AeadAlgorithm.NONCE_LENGTH);
    byte[] sealed = new byte[SEAL_OVERHEAD + plaintext.length];
    System.arraycopy(nonce, 0, sealed, 0, nonce.length);
    aead.seal(nonce, associatedData(fileName, part), plaintext, 0, plaintext.length, sealed, nonce.length);
    return sealed;
  }

  private byte[] open(ByteBuffer sealed, String fileName, String part) throws CorruptDataException {
    if (sealed.remaining() < SEAL_OVERHEAD) {
      throw new CorruptDataException(fileName + ": sealed " + part + " is too short");
    }
    byte[] bytes = sealed.array();
    byte[] nonce = Arrays.copyOfRange(bytes, 0, AeadAlgorithm.NONCE_LENGTH);
    try {
      return aead.open(nonce, associatedData(fileName, part), bytes, nonce.length, bytes.length - nonce.length);
    } catch (CorruptDataException e) {
      throw new CorruptDataException(fileName + " (" + part + "): " + e.getMessage(), e);
    }
  }

  private static byte[] associatedData(String fileName, String part) {
    return (PURPOSE + " " + fileName + " " + part).getBytes(StandardCharsets.UTF_8);
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
