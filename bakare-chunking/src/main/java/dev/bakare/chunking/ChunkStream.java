package dev.bakare.chunking;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits whole inputs (files, streams) into chunks with a {@link Chunker}, through one buffer that is
 * reused for every input. Not safe for concurrent use: give each thread its own.
 *
 * <p>The chunker is shown what the buffer holds; when it finds no cut in less than {@link
 * Chunker#maxSize()} bytes before the end of the input, those bytes move to the front of the buffer and it
 * is shown them again with more. The buffer is allocated when an input is first read, as large as that
 * input needs (a channel that knows its size says how much), and grows up to 1.25 times {@code maxSize}
 * when an input needs more (5 MiB with the default parameters): a thread that only ever splits bytes
 * already in memory, or small files, never holds a buffer of the largest chunk.
 */
public final class ChunkStream {
  /** Small maximum sizes still get a buffer large enough for efficient reads. */
  private static final int MIN_BUFFER = 64 << 10;
  /**
   * The most read from a channel at once. The JDK reads into a heap array through a direct buffer as large
   * as the read, and keeps that buffer for the thread: reads of the whole 8 MiB buffer cost 8 MiB of
   * native memory per reading thread for the rest of the process.
   */
  static final int CHANNEL_READ_SLICE = 1 << 20;

  private final Chunker chunker;
  /**
   * The size the buffer grows to at most: {@code max(1.25 * maxSize, 64 KiB)}. With twice {@code maxSize}
   * the chunker would scan less of a large input twice, but each thread would hold 3 MiB more with the
   * default parameters, for no measurable speed (ChunkerBenchmark.stream: 1,300-1,390 MB/s either way).
   */
  private final int fullSize;
  private byte[] buffer = new byte[0];
  private ByteBuffer channelView = ByteBuffer.wrap(buffer);

  /** Receives the chunks of an input, in order. */
  @FunctionalInterface
  public interface ChunkConsumer {
    /**
     * Receives one chunk: {@code buffer[offset .. offset + length - 1]}, with {@code length >= 1}. The
     * arguments are valid only during the call: the buffer is overwritten afterwards, so copy what must
     * be kept, and do not write to it.
     *
     * @throws IOException to stop splitting; {@link ChunkStream} passes it on to its caller
     */
    void accept(byte[] buffer, int offset, int length) throws IOException;
  }

  /** Creates a stream for {@code chunker}; its buffer grows to at most {@code max(1.25 * maxSize, 64 KiB)} bytes. */
  public ChunkStream(Chunker chunker) {
    if (chunker.maxSize() < 1 || chunker.maxSize() > ChunkerParameters.MAX_SIZE_CEILING) {
      throw new IllegalArgumentException(
          "chunker " + chunker + " reports maxSize " + chunker.maxSize() + ", outside [1, "
              + ChunkerParameters.MAX_SIZE_CEILING + "]");
    }
    this.chunker = chunker;
    this.fullSize = Math.max(chunker.maxSize() + chunker.maxSize() / 4, MIN_BUFFER);
  }

  /**
   * Reads {@code channel} to its end and passes each chunk to {@code consumer}. An empty input has no
   * chunks. The channel is not closed.
   *
   * @return the number of bytes read, which is the sum of the chunk lengths
   * @throws IllegalBlockingModeException if the channel is a selectable channel in non-blocking mode
   * @throws IOException from the channel or the consumer
   */
  public long split(ReadableByteChannel channel, ChunkConsumer consumer) throws IOException {
    if (channel instanceof SelectableChannel selectable && !selectable.isBlocking()) {
      throw new IllegalBlockingModeException();
    }
    long expected = channel instanceof SeekableByteChannel seekable ? seekable.size() - seekable.position() : 0;
    return split(
        (offset, length) -> {
          channelView.limit(offset + Math.min(length, CHANNEL_READ_SLICE)).position(offset);
          return channel.read(channelView);
        },
        expected,
        consumer);
  }

  /**
   * Reads {@code in} to its end and passes each chunk to {@code consumer}. An empty input has no chunks.
   * The stream is not closed.
   *
   * @return the number of bytes read, which is the sum of the chunk lengths
   * @throws IOException from the stream or the consumer
   */
  public long split(InputStream in, ChunkConsumer consumer) throws IOException {
    return split((offset, length) -> in.read(buffer, offset, length), 0, consumer);
  }

  /**
   * Splits {@code length} bytes of {@code data} from {@code offset}, already in memory, into the chunks
   * {@link #split(ReadableByteChannel, ChunkConsumer)} makes of the same bytes read from a channel.
   *
   * @return {@code length}
   * @throws IOException from the consumer
   */
  public long split(byte[] data, int offset, int length, ChunkConsumer consumer) throws IOException {
    Objects.checkFromIndexSize(offset, length, data.length);
    int start = offset;
    int end = offset + length;
    while (start < end) {
      int chunk = nextChunkLength(data, start, end - start);
      consumer.accept(data, start, chunk);
      start += chunk;
    }
    return length;
  }

  /** The chunker's next length, checked: a chunker that breaks its contract must not corrupt a backup. */
  private int nextChunkLength(byte[] data, int start, int available) {
    int length = chunker.nextChunkLength(data, start, available);
    if (length < 1 || length > Math.min(available, chunker.maxSize())) {
      throw new IllegalStateException(
          "chunker " + chunker + " returned chunk length " + length + " for " + available
              + " bytes; a chunker must return a length in [1, min(length, maxSize)]");
    }
    return length;
  }

  /**
   * Replaces the buffer with one of {@code size} bytes if it is smaller, holding the same bytes if {@code
   * keepBytes} (between inputs there are none worth copying).
   */
  private void growTo(int size, boolean keepBytes) {
    if (buffer.length < size) {
      buffer = keepBytes ? Arrays.copyOf(buffer, size) : new byte[size];
      channelView = ByteBuffer.wrap(buffer);
    }
  }

  /** The buffer's size now: what this stream holds between inputs. */
  int bufferSize() {
    return buffer.length;
  }

  /** Reads into {@link #buffer}: at most {@code length} bytes at {@code offset}; -1 at the end of input. */
  @FunctionalInterface
  private interface Source {
    int read(int offset, int length) throws IOException;
  }

  /** @param expected how many bytes the input probably holds (0 if unknown): the buffer's first size */
  private long split(Source source, long expected, ChunkConsumer consumer) throws IOException {
    // One byte more than the input, so that the read that finds its end has room.
    growTo((int) Math.min(fullSize, Math.max(MIN_BUFFER, expected + 1)), false);
    int maxSize = chunker.maxSize();
    int start = 0;
    int end = 0;
    boolean eof = false;
    long total = 0;
    while (true) {
      int available = end - start;
      if (available > 0) {
        int length = nextChunkLength(buffer, start, available);
        // A cut before the end of the bytes shown stands whatever follows them (the Chunker contract); one
        // at their end is a cut only at the end of the input or of the largest chunk.
        if (length < available || available >= maxSize || eof) {
          consumer.accept(buffer, start, length);
          start += length;
          total += length;
          continue;
        }
      } else if (eof) {
        return total;
      }
      // Less than the largest chunk is left and no cut in it: move it to the front and read more. The
      // chunker then scans it again, which costs less than keeping the largest chunk in the buffer after
      // every cut (moving it forward each time) or a buffer twice its size per thread.
      System.arraycopy(buffer, start, buffer, 0, available);
      end = available;
      start = 0;
      while (true) {
        if (end == buffer.length) {
          if (buffer.length == fullSize) {
            break;
          }
          // The input is longer than the buffer: a buffer below its full size would be refilled after
          // nearly every chunk.
          growTo(Math.min(fullSize, 2 * buffer.length), true);
        }
        int n = source.read(end, buffer.length - end);
        if (n < 0) {
          eof = true;
          break;
        }
        end += n;
      }
    }
  }
}
