package dev.bakare.chunking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkStreamTest {
  private static final ChunkerParameters SMALL = new ChunkerParameters(64, 256, 1024);

  private static Chunker fastCdc(ChunkerParameters parameters) {
    return Chunkers.factory("fastcdc-v1").create(parameters, TestInputs.key(1));
  }

  @Test
  void emptyInputHasNoChunks() throws IOException {
    ChunkStream stream = new ChunkStream(fastCdc(SMALL));
    List<Integer> lengths = new ArrayList<>();

    assertEquals(0, stream.split(Channels.newChannel(new ByteArrayInputStream(new byte[0])), (b, o, n) -> lengths.add(n)));
    assertEquals(0, stream.split(new ByteArrayInputStream(new byte[0]), (b, o, n) -> lengths.add(n)));
    assertEquals(List.of(), lengths);
  }

  @Test
  void inputShorterThanTheMinimumIsOneChunk() throws IOException {
    byte[] data = TestInputs.randomBytes(1, 63);

    assertEquals(List.of(63), TestInputs.streamLengths(new ChunkStream(fastCdc(SMALL)), TestInputs.shortReads(data, 2, 7)));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 999, 1000, 1001, 5000, 200_000})
  void fixedSizeChunksAreExactlyTheAverageButTheLast(int size) throws IOException {
    Chunker fixed = Chunkers.factory("fixed-v1").create(new ChunkerParameters(64, 1000, 4000), new byte[32]);
    List<Integer> expected = new ArrayList<>(Collections.nCopies(size / 1000, 1000));
    if (size % 1000 != 0) {
      expected.add(size % 1000);
    }

    List<Integer> lengths =
        TestInputs.streamLengths(new ChunkStream(fixed), TestInputs.shortReads(new byte[size], size, 3000));

    assertEquals(expected, lengths);
  }

  @Test
  void inputLargerThanTheBufferMatchesDirectSplitting() throws IOException {
    // Default parameters: an 8 MiB buffer, refilled several times over 40 MiB read in pieces of up to 1 MiB.
    Chunker chunker = fastCdc(ChunkerParameters.DEFAULT);
    byte[] data = TestInputs.randomBytes(3, 40 << 20);

    List<Integer> lengths = TestInputs.streamLengths(new ChunkStream(chunker), TestInputs.shortReads(data, 4, 1 << 20));

    assertEquals(TestInputs.chunkLengths(chunker, data), lengths);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 63, 64, 65, 1000, 5000, 100_000})
  void bytesInMemorySplitAsTheSameBytesReadFromAChannel(int size) throws IOException {
    ChunkStream stream = new ChunkStream(fastCdc(SMALL));
    byte[] data = TestInputs.randomBytes(size, size);
    byte[] padded = new byte[size + 20];
    System.arraycopy(data, 0, padded, 7, size);
    List<Integer> lengths = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();

    long total = stream.split(padded, 7, size, (b, o, n) -> {
      assertSame(padded, b);
      offsets.add(o);
      lengths.add(n);
    });

    assertEquals(size, total);
    assertEquals(TestInputs.streamLengths(stream, TestInputs.shortReads(data, 9, 333)), lengths);
    int expectedOffset = 7;
    for (int i = 0; i < lengths.size(); i++) {
      assertEquals(expectedOffset, offsets.get(i), "offset of chunk " + i);
      expectedOffset += lengths.get(i);
    }
  }

  @Test
  void consumerExceptionsReachTheCallerAndTheStreamStaysUsable() throws IOException {
    ChunkStream stream = new ChunkStream(fastCdc(SMALL));
    byte[] data = TestInputs.randomBytes(5, 100_000);
    IOException failure = new IOException("disk full");

    IOException thrown =
        assertThrows(
            IOException.class,
            () ->
                stream.split(
                    new ByteArrayInputStream(data),
                    (buffer, offset, length) -> {
                      throw failure;
                    }));

    assertSame(failure, thrown);
    assertEquals(
        TestInputs.chunkLengths(fastCdc(SMALL), data), TestInputs.streamLengths(stream, TestInputs.shortReads(data, 6, 500)));
  }

  @Test
  void readErrorsReachTheCaller() {
    IOException failure = new IOException("device gone");
    java.io.InputStream broken =
        new java.io.InputStream() {
          @Override
          public int read() throws IOException {
            throw failure;
          }
        };

    assertSame(failure, assertThrows(IOException.class, () -> new ChunkStream(fastCdc(SMALL)).split(broken, (b, o, n) -> {})));
  }

  @Test
  void nonBlockingChannelsAreRejected() throws IOException {
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel source = pipe.source();
        Pipe.SinkChannel sink = pipe.sink()) {
      source.configureBlocking(false);

      assertThrows(IllegalBlockingModeException.class, () -> new ChunkStream(fastCdc(SMALL)).split(source, (b, o, n) -> {}));
      assertTrue(sink.isOpen());
    }
  }

  @Test
  void aChunkerBreakingItsContractIsReported() {
    Chunker broken =
        new Chunker() {
          @Override
          public int minSize() {
            return 64;
          }

          @Override
          public int maxSize() {
            return 128;
          }

          @Override
          public int nextChunkLength(byte[] data, int offset, int length) {
            return 0;
          }

          @Override
          public String toString() {
            return "broken";
          }
        };

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new ChunkStream(broken).split(new ByteArrayInputStream(new byte[10]), (b, o, n) -> {}));
    assertTrue(e.getMessage().contains("chunker broken returned chunk length 0 for 10 bytes"), e.getMessage());
  }

  @Test
  void theBufferGrowsOnlyAsFarAsTheInputsNeed() throws IOException {
    // Default parameters: up to 5 MiB of buffer for chunks of up to 4 MiB.
    Chunker chunker = fastCdc(ChunkerParameters.DEFAULT);
    ChunkStream stream = new ChunkStream(chunker);
    stream.split(TestInputs.randomBytes(5, 3 << 20), 0, 3 << 20, (b, o, n) -> { });
    assertEquals(0, stream.bufferSize(), "bytes already in memory need no buffer");

    byte[] small = TestInputs.randomBytes(6, 100_000);
    assertEquals(TestInputs.chunkLengths(chunker, small), lengthsThroughSizedChannel(stream, small, small.length));
    assertTrue(stream.bufferSize() <= 128 << 10, "a 100 kB file needs no more: " + stream.bufferSize());

    // Inputs of growing sizes, read in short pieces from channels that do not know their size: every
    // growth keeps what was read, and the chunks are those of the bytes in memory.
    ChunkStream unsized = new ChunkStream(chunker);
    for (int size : new int[] {1000, 70_000, 3 << 20, 5 << 20, 20 << 20}) {
      byte[] data = TestInputs.randomBytes(size, size);
      assertEquals(TestInputs.chunkLengths(chunker, data),
          TestInputs.streamLengths(unsized, TestInputs.shortReads(data, size, 300_000)), size + " bytes");
    }
    assertEquals(chunker.maxSize() + chunker.maxSize() / 4, unsized.bufferSize());
  }

  @Test
  void aChannelHoldingMoreThanItsSizeSaidIsSplitWhole() throws IOException {
    // A file that grows while it is read: its size when the split began sizes the first buffer.
    Chunker chunker = fastCdc(ChunkerParameters.DEFAULT);
    for (int size : new int[] {100_000, 2 << 20, 12 << 20}) {
      byte[] data = TestInputs.randomBytes(size + 1, size);
      assertEquals(TestInputs.chunkLengths(chunker, data),
          lengthsThroughSizedChannel(new ChunkStream(chunker), data, 1000), size + " bytes said to be 1000");
    }
  }

  /** Splits {@code data} read from a seekable channel whose {@code size()} reports {@code reportedSize}. */
  private static List<Integer> lengthsThroughSizedChannel(ChunkStream stream, byte[] data, long reportedSize)
      throws IOException {
    List<Integer> lengths = new ArrayList<>();
    stream.split(new ArrayChannel(data, reportedSize), (b, o, n) -> lengths.add(n));
    return lengths;
  }

  /** A read-only seekable channel over an array, reporting a size of the test's choosing. */
  private static final class ArrayChannel implements SeekableByteChannel {
    private final byte[] data;
    private final long reportedSize;
    private int position;

    ArrayChannel(byte[] data, long reportedSize) {
      this.data = data;
      this.reportedSize = reportedSize;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position == data.length) {
        return -1;
      }
      int n = Math.min(dst.remaining(), data.length - position);
      dst.put(data, position, n);
      position += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new NonWritableChannelException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
      position = Math.toIntExact(newPosition);
      return this;
    }

    @Override
    public long size() {
      return reportedSize;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
