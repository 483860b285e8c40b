package dev.bakare.internal.content;

import dev.bakare.internal.cache.CacheFiles;
import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The chunk index kept between runs, {@code <cache>/<repository id>/index/chunks}: the table of the index
 * segments it names, so that opening a repository reads only the segments written since (docs/design.md,
 * "Chunk index cache"). Layout, big-endian:
 *
 * <pre>
 *   header [40]: magic "BKCI" | u32 version=1 | u32 metaLength | u32 crc32c(meta) | u32 crc32c(table)
 *                | u32 capacity | u32 count | u64 tableOffset | u32 crc32c(header's first 36 bytes)
 *   meta:        string repositoryId | varint segmentCount, segment id [32] each
 *                | varint packCount, per pack: id [32] ephemeralPublic [32] (pack numbers are positions)
 *   table at tableOffset (a multiple of 4096): capacity slots of {@link ChunkTable#SLOT} bytes
 * </pre>
 *
 * The file is replaced whole (written under a temporary name, then renamed), read through a copy-on-write
 * mapping, and checked against its checksums before use: a damaged file is deleted and the index read
 * from storage again.
 */
public final class ChunkIndexCache {
  private static final System.Logger LOG = System.getLogger(ChunkIndexCache.class.getName());
  private static final byte[] MAGIC = "BKCI".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int HEADER = 40;
  private static final int ALIGNMENT = 4096;
  private static final int MAX_ID_LENGTH = 256;

  private final Path file;
  private final String repositoryId;
  private final Path workDirectory;

  /**
   * @param cacheRoot the cache directory ({@code RepositoryOptions.cacheDirectory})
   * @param workDirectory where a table that outgrows the cached one makes its file
   */
  public ChunkIndexCache(Path cacheRoot, String repositoryId, Path workDirectory) {
    this.file = fileFor(cacheRoot, repositoryId);
    this.repositoryId = repositoryId;
    this.workDirectory = workDirectory;
  }

  /** Where the cache of a repository lives under the cache directory {@code cacheRoot}. */
  public static Path fileFor(Path cacheRoot, String repositoryId) {
    return cacheRoot.resolve(repositoryId).resolve("index").resolve("chunks");
  }

  /** A cached index and the segments whose entries it holds (exactly those). */
  public record Cached(ChunkIndex index, Set<ObjectId> segments) {}

  public Path file() {
    return file;
  }

  /**
   * The cached index, or empty when there is none or it cannot be used: a damaged or foreign file is
   * deleted (a warning says so), an unreadable one left alone (a warning says why).
   */
  public Optional<Cached> read() {
    ChunkTable table = null;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      ByteBuffer header = readFully(channel, 0, HEADER, size);
      byte[] magic = new byte[MAGIC.length];
      header.get(magic);
      if (!Arrays.equals(magic, MAGIC) || header.getInt() != VERSION) {
        throw new CorruptDataException("not a chunk index cache of this version");
      }
      int metaLength = header.getInt();
      int metaCrc = header.getInt();
      int tableCrc = header.getInt();
      int capacity = header.getInt();
      int count = header.getInt();
      long tableOffset = header.getLong();
      if (header.getInt() != crc(header.array(), 0, HEADER - 4)) {
        throw new CorruptDataException("its header is damaged");
      }
      if (metaLength < 0 || HEADER + (long) metaLength > tableOffset || tableOffset % ALIGNMENT != 0
          || capacity <= 0 || tableOffset + ChunkTable.bytesFor(capacity) != size) {
        throw new CorruptDataException("its sizes do not add up to its " + size + " bytes");
      }
      ByteBuffer meta = readFully(channel, HEADER, metaLength, size);
      if (crc(meta.array(), 0, metaLength) != metaCrc) {
        throw new CorruptDataException("its list of segments and packs is damaged");
      }
      ByteReader r = new ByteReader(meta.array());
      String id = r.string(MAX_ID_LENGTH, "repository id");
      if (!id.equals(repositoryId)) {
        throw new CorruptDataException("it belongs to repository " + id);
      }
      int segmentCount = r.count(ObjectId.LENGTH, "segment");
      Set<ObjectId> segments = new java.util.HashSet<>();
      for (int i = 0; i < segmentCount; i++) {
        segments.add(ObjectId.read(r));
      }
      int packCount = r.count(2 * ObjectId.LENGTH, "pack");
      List<PackRef> packs = new ArrayList<>(packCount);
      for (int i = 0; i < packCount; i++) {
        packs.add(new PackRef(ObjectId.read(r), r.bytes(32)));
      }
      r.expectEnd("chunk index cache");
      table = ChunkTable.mapCopyOnWrite(workDirectory, channel, tableOffset, capacity, count);
      CRC32C checksum = new CRC32C();
      table.checksum(checksum);
      if ((int) checksum.getValue() != tableCrc) {
        throw new CorruptDataException("its table is damaged");
      }
      ChunkTable checked = table;
      table = null;
      return Optional.of(new Cached(ChunkIndex.of(checked, packs), Set.copyOf(segments)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (CorruptDataException | IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, "the chunk index cache " + file + " cannot be used (" + e.getMessage()
          + "): it is deleted, and the index read from the repository");
      CacheFiles.deleteUnusable(file);
      return Optional.empty();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot read the chunk index cache " + file + " (" + e.getMessage()
          + "): the index is read from the repository; check the cache directory's permissions");
      return Optional.empty();
    } finally {
      if (table != null) {
        table.close();
      }
    }
  }

  /**
   * Replaces the cached index with {@code index}, which must hold the entries of exactly {@code segments}
   * and so {@code expectedChunks} entries, the chunks those segments list. Returns false, and leaves the
   * old file, if the index holds another number: then it holds entries of packs no segment lists (indexed
   * from their headers, or uploaded by a backup that failed), or segments list packs twice. Leaves the old
   * file when writing fails, too.
   */
  public boolean write(ChunkIndex index, Collection<ObjectId> segments, long expectedChunks) throws IOException {
    ChunkTable table = index.table();
    List<PackRef> packs = index.packs();
    ByteWriter meta = new ByteWriter(64 + segments.size() * ObjectId.LENGTH + packs.size() * 64);
    meta.string(repositoryId).varint(segments.size());
    for (ObjectId segment : segments) {
      segment.writeTo(meta);
    }
    meta.varint(packs.size());
    for (PackRef pack : packs) {
      pack.id().writeTo(meta);
      meta.bytes(pack.ephemeralPublic());
    }
    long tableOffset = (HEADER + meta.size() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    try {
      CacheFiles.replaceWith(file, channel -> writeTo(channel, table, meta, tableOffset, expectedChunks));
      return true;
    } catch (NotExactly e) {
      return false;
    }
  }

  /** What {@link #write} found: the table's count, read with its slots, is not the one expected. */
  private static final class NotExactly extends IOException {
    NotExactly(long expected, int actual) {
      super("the chunk index holds " + actual + " entries, its segments list " + expected);
    }
  }

  private static void writeTo(FileChannel channel, ChunkTable table, ByteWriter meta, long tableOffset,
      long expectedChunks) throws IOException {
    channel.position(HEADER);
    CacheFiles.writeFully(channel, ByteBuffer.wrap(meta.array(), 0, meta.size()));
    channel.position(tableOffset);
    CRC32C tableCrc = new CRC32C();
    ChunkTable.Shape shape = table.writeTo(channel, tableCrc);
    if (shape.count() != expectedChunks) {
      throw new NotExactly(expectedChunks, shape.count());
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).putInt(VERSION).putInt(meta.size())
        .putInt(crc(meta.array(), 0, meta.size())).putInt((int) tableCrc.getValue()).putInt(shape.capacity())
        .putInt(shape.count()).putLong(tableOffset);
    header.putInt(crc(header.array(), 0, HEADER - 4)).flip();
    channel.position(0);
    CacheFiles.writeFully(channel, header);
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  private static ByteBuffer readFully(FileChannel channel, long at, int length, long size)
      throws IOException, CorruptDataException {
    if (at + length > size) {
      throw new CorruptDataException("it ends at " + size + " bytes, before its " + (at + length) + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    if (!CacheFiles.readFully(channel, at, buffer)) {
      throw new CorruptDataException("it ends early");
    }
    return buffer.flip();
  }
}
