package dev.bakare.internal.content;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.bakare.internal.format.CorruptDataException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * zstd compression with pooled native contexts (creating one per chunk costs more than compressing a
 * small chunk). Closing releases the pooled contexts.
 */
public final class Compressor implements AutoCloseable {
  /** Chunks shorter than this are compressed without probing: a probe would cost a large share of them. */
  static final int PROBE_MIN_LENGTH = 128 << 10;
  /** Length of each of the three samples a probe compresses: 2.3% of a default 1 MiB chunk. */
  static final int PROBE_SAMPLE = 8 << 10;
  /** The room {@link #worthCompressing} needs to compress a sample into. */
  public static final int PROBE_BOUND = maxCompressedLength(PROBE_SAMPLE);

  private final int level;
  private final ConcurrentLinkedQueue<ZstdCompressCtx> compressors = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<ZstdDecompressCtx> decompressors = new ConcurrentLinkedQueue<>();

  public Compressor(int level) {
    if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
      throw new IllegalArgumentException(
          "zstd level " + level + " is outside " + Zstd.minCompressionLevel() + ".." + Zstd.maxCompressionLevel());
    }
    this.level = level;
  }

  public int level() {
    return level;
  }

  /** The largest output {@link #compress} can produce for {@code length} input bytes. */
  public static int maxCompressedLength(int length) {
    return (int) Zstd.compressBound(length);
  }

  /**
   * Compresses {@code src[offset, offset+length)} into {@code dst} at {@code dstOffset} and returns the
   * compressed length; {@code dst} must have {@link #maxCompressedLength} bytes from {@code dstOffset}.
   */
  public int compress(byte[] src, int offset, int length, byte[] dst, int dstOffset) {
    ZstdCompressCtx ctx = compressors.poll();
    if (ctx == null) {
      ctx = new ZstdCompressCtx();
      ctx.setLevel(level);
    }
    try {
      return ctx.compressByteArray(dst, dstOffset, dst.length - dstOffset, src, offset, length);
    } finally {
      compressors.offer(ctx);
    }
  }

  /**
   * False when the chunk is large and three samples of it (its start, middle and end) each save less than
   * 1/32 of their length: then the rest of the chunk is most likely incompressible too (media, archives,
   * encrypted files), and compressing all of it only to store it as it is would take about a tenth of the
   * write path's time on such data. A chunk that is incompressible where sampled and compressible
   * elsewhere is stored uncompressed. The samples are compressed into {@code probe} from {@code
   * probeOffset}, which needs {@link #PROBE_BOUND} bytes there: a caller sizes its buffer for the whole
   * chunk only once the chunk is worth compressing.
   */
  public boolean worthCompressing(byte[] src, int offset, int length, byte[] probe, int probeOffset) {
    if (length < PROBE_MIN_LENGTH) {
      return true;
    }
    int last = length - PROBE_SAMPLE;
    return compresses(src, offset, probe, probeOffset)
        || compresses(src, offset + (last >>> 1), probe, probeOffset)
        || compresses(src, offset + last, probe, probeOffset);
  }

  private boolean compresses(byte[] src, int sampleOffset, byte[] dst, int dstOffset) {
    int compressed = compress(src, sampleOffset, PROBE_SAMPLE, dst, dstOffset);
    return compressed < PROBE_SAMPLE - (PROBE_SAMPLE >>> 5);
  }

  /**
   * Decompresses a frame that must expand to exactly {@code rawLength} bytes.
   *
   * @throws CorruptDataException if the frame is malformed or has another length
   */
  public byte[] decompress(byte[] src, int offset, int length, int rawLength) throws CorruptDataException {
    return decompress(src, offset, length, new byte[rawLength], rawLength);
  }

  /**
   * Decompresses a frame that must expand to exactly {@code rawLength} bytes into the start of {@code out}
   * (at least that long), and returns {@code out}.
   *
   * @throws CorruptDataException if the frame is malformed or has another length
   */
  public byte[] decompress(byte[] src, int offset, int length, byte[] out, int rawLength) throws CorruptDataException {
    ZstdDecompressCtx ctx = decompressors.poll();
    if (ctx == null) {
      ctx = new ZstdDecompressCtx();
    }
    try {
      int n = ctx.decompressByteArray(out, 0, rawLength, src, offset, length);
      if (n != rawLength) {
        throw new CorruptDataException("zstd frame expands to " + n + " bytes, expected " + rawLength);
      }
      return out;
    } catch (ZstdException e) {
      throw new CorruptDataException("malformed zstd frame: " + e.getMessage(), e);
    } finally {
      decompressors.offer(ctx);
    }
  }

  @Override
  public void close() {
    for (ZstdCompressCtx ctx; (ctx = compressors.poll()) != null; ) {
      ctx.close();
    }
    for (ZstdDecompressCtx ctx; (ctx = decompressors.poll()) != null; ) {
      ctx.close();
    }
  }
}
