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
   * Decompresses a frame that must expand to exactly {@code rawLength} bytes.
   *
   * @throws CorruptDataException if the frame is malformed or has another length
   */
  public byte[] decompress(byte[] src, int offset, int length, int rawLength) throws CorruptDataException {
    byte[] out = new byte[rawLength];
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
