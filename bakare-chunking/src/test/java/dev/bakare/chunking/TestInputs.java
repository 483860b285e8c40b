package dev.bakare.chunking;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Inputs and splitting helpers shared by the chunking tests. */
public final class TestInputs {
  private TestInputs() {}

  /** {@code size} pseudo-random bytes, the same for the same seed. */
  public static byte[] randomBytes(long seed, int size) {
    byte[] data = new byte[size];
    new SplittableRandom(seed).nextBytes(data);
    return data;
  }

  /** A 32-byte key, the same for the same seed. */
  public static byte[] key(long seed) {
    return randomBytes(seed, 32);
  }

  /** The chunk lengths of {@code data}, found by calling the chunker directly on the whole array. */
  public static List<Integer> chunkLengths(Chunker chunker, byte[] data) {
    List<Integer> lengths = new ArrayList<>();
    int offset = 0;
    while (offset < data.length) {
      int length = chunker.nextChunkLength(data, offset, data.length - offset);
      lengths.add(length);
      offset += length;
    }
    return lengths;
  }

  /** The chunk lengths {@link ChunkStream} reports for {@code channel}. */
  public static List<Integer> streamLengths(ChunkStream stream, ReadableByteChannel channel) throws IOException {
    List<Integer> lengths = new ArrayList<>();
    stream.split(channel, (buffer, offset, length) -> lengths.add(length));
    return lengths;
  }

  /** A blocking channel over {@code data} whose reads return between 1 and {@code maxRead} bytes. */
  public static ReadableByteChannel shortReads(byte[] data, long seed, int maxRead) {
    SplittableRandom random = new SplittableRandom(seed);
    return new ReadableByteChannel() {
      private int position;
      private boolean open = true;

      @Override
      public int read(ByteBuffer target) {
        if (position == data.length) {
          return -1;
        }
        int n = Math.min(Math.min(target.remaining(), data.length - position), 1 + random.nextInt(maxRead));
        target.put(data, position, n);
        position += n;
        return n;
      }

      @Override
      public boolean isOpen() {
        return open;
      }

      @Override
      public void close() {
        open = false;
      }
    };
  }

  /** A stream over {@code data} whose reads return between 1 and {@code maxRead} bytes. */
  public static InputStream shortReadStream(byte[] data, long seed, int maxRead) {
    SplittableRandom random = new SplittableRandom(seed);
    return new InputStream() {
      private int position;

      @Override
      public int read() {
        return position == data.length ? -1 : data[position++] & 0xff;
      }

      @Override
      public int read(byte[] target, int offset, int length) {
        if (length == 0) {
          return 0;
        }
        if (position == data.length) {
          return -1;
        }
        int n = Math.min(Math.min(length, data.length - position), 1 + random.nextInt(maxRead));
        System.arraycopy(data, position, target, offset, n);
        position += n;
        return n;
      }
    };
  }
}
