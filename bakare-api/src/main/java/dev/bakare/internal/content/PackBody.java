package dev.bakare.internal.content;

import dev.bakare.internal.cache.CacheFiles;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.SealTarget;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The bytes of one pack while it is filled and uploaded: in a byte array, or in a file with a small buffer
 * in front ({@link PackStaging}). A chunk is sealed into it a piece at a time ({@link SealTarget}): the
 * sealing asks for room ({@link #reserve}), writes into the array it gets at {@link #reservedOffset}, and
 * reports how much it wrote ({@link #advance}). Used by one thread at a time; {@link #reset} empties it for
 * the next pack once the last one is uploaded.
 */
public abstract sealed class PackBody implements Closeable, SealTarget {

  /** Bytes written so far. */
  abstract int size();

  /** Appends {@code bytes}, of any length. */
  void append(byte[] bytes) throws IOException {
    byte[] target = reserve(bytes.length);
    System.arraycopy(bytes, 0, target, reservedOffset(), bytes.length);
    advance(bytes.length);
  }

  /** Ends the pack: nothing is appended after this. Returns the SHA-256 of all its bytes. */
  abstract byte[] finish() throws IOException;

  /** Puts the finished pack's bytes under {@code name}. */
  abstract void upload(BlobStore store, BlobName name, PutMode mode) throws StorageException;

  /** A copy of the finished pack's bytes. */
  abstract byte[] contents() throws IOException;

  /** Empties this body for the next pack. */
  abstract void reset() throws IOException;

  /** A pack in a byte array that grows as chunks come. */
  static final class InMemory extends PackBody {
    private final int expectedSize;
    private byte[] buffer;
    private int size;

    /**
     * @param buffer the array to fill first (whatever it holds is overwritten)
     * @param expectedSize about the size the pack will have when finished (its target plus one chunk and
     *     the header), which growth does not exceed unless a chunk needs it
     */
    InMemory(byte[] buffer, int expectedSize) {
      this.buffer = buffer;
      this.expectedSize = expectedSize;
    }

    @Override
    int size() {
      return size;
    }

    /** Grows the buffer by half, and never past what is needed beyond the expected pack size. */
    @Override
    public byte[] reserve(int length) {
      if (size + length > buffer.length) {
        long grown = Math.max(buffer.length + (buffer.length >> 1), size + length);
        long bound = Math.max(expectedSize, size + length);
        buffer = Arrays.copyOf(buffer, (int) Math.min(grown, bound));
      }
      return buffer;
    }

    @Override
    public int reservedOffset() {
      return size;
    }

    @Override
    public void advance(int written) {
      size += written;
    }

    @Override
    byte[] finish() {
      return Crypto.sha256(buffer, 0, size);
    }

    @Override
    void upload(BlobStore store, BlobName name, PutMode mode) throws StorageException {
      store.put(name, ByteBuffer.wrap(buffer, 0, size), mode);
    }

    @Override
    byte[] contents() {
      return Arrays.copyOf(buffer, size);
    }

    @Override
    void reset() {
      size = 0;
    }

    @Override
    public void close() {
      buffer = new byte[0];
    }
  }

  /**
   * A pack in a file ({@link PackFile}: a local one of this process's own, or one the store staged),
   * written through a small buffer that sealed pieces fill. The SHA-256 that names the pack is computed as
   * the bytes go out.
   */
  static final class InFile extends PackBody {
    /** Small chunks (a small file each) are gathered up to this before one write. */
    static final int BUFFER_BYTES = 256 << 10;
    /** The most written per call: the JDK copies a heap array into a direct buffer of that size per thread. */
    private static final int WRITE_SLICE = 1 << 20;

    private final PackFile file;
    private final MessageDigest digest;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int buffered;
    private long written;
    /** Set when a write failed: the file and the digest may disagree, so the pack must not be finished. */
    private @Nullable IOException failed;

    /** @param file an empty file, which this body closes */
    InFile(PackFile file) {
      this.file = file;
      this.digest = Crypto.sha256();
    }

    @Override
    int size() {
      return Math.toIntExact(written + buffered);
    }

    @Override
    public byte[] reserve(int length) throws IOException {
      if (length > MAX_PIECE) {
        throw new IllegalArgumentException("reserved " + length + " bytes at once; at most " + MAX_PIECE);
      }
      checkNotFailed();
      if (buffered + length > buffer.length) {
        flush();
      }
      return buffer;
    }

    @Override
    public int reservedOffset() {
      return buffered;
    }

    @Override
    public void advance(int count) {
      buffered += count;
    }

    /** Bytes larger than the buffer (a pack header listing thousands of chunks) are written as they are. */
    @Override
    void append(byte[] bytes) throws IOException {
      if (bytes.length <= MAX_PIECE) {
        super.append(bytes);
        return;
      }
      checkNotFailed();
      flush();
      write(bytes, 0, bytes.length);
    }

    @Override
    byte[] finish() throws IOException {
      checkNotFailed();
      flush();
      return digest.digest();
    }

    @Override
    void upload(BlobStore store, BlobName name, PutMode mode) throws StorageException {
      file.upload(store, name, written, mode);
    }

    @Override
    byte[] contents() throws IOException {
      ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(written));
      if (!CacheFiles.readFully(file.channel(), 0, bytes)) {
        throw new IOException("the staging file of a pack " + file.location() + " ends after " + bytes.position()
            + " of " + written + " bytes: something truncated it");
      }
      return bytes.array();
    }

    @Override
    void reset() throws IOException {
      file.reset();
      digest.reset();
      buffered = 0;
      written = 0;
      failed = null;
    }

    @Override
    public void close() throws IOException {
      file.close();
    }

    private void flush() throws IOException {
      write(buffer, 0, buffered);
      buffered = 0;
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
      digest.update(bytes, offset, length);
      try {
        for (int done = 0; done < length; ) {
          int n = file.channel().write(ByteBuffer.wrap(bytes, offset + done, Math.min(WRITE_SLICE, length - done)),
              written);
          done += n;
          written += n;
        }
      } catch (IOException e) {
        IOException failure = new IOException("cannot write a pack's staging file " + file.location() + ": "
            + e.getMessage() + " (" + file.advice() + ")", e);
        failed = failure;
        throw failure;
      }
    }

    private void checkNotFailed() throws IOException {
      IOException failure = failed;
      if (failure != null) {
        throw new IOException("this pack cannot be finished: writing its staging file failed before", failure);
      }
    }
  }
}
