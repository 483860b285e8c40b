package dev.bakare.internal.restore;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;

/**
 * A file a restore creates and writes, open until {@link #close}: on a bare descriptor where {@link
 * UnixDescriptors} can (the CLI), otherwise through a {@link FileChannel}. Used by one thread at a time.
 */
sealed interface RestoredFile {
  Set<OpenOption> NEW_FILE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

  /**
   * Creates {@code path}, which must not exist yet (a symlink there is never written through), with
   * the permission bits of {@code mode} (the umask applies).
   *
   * @throws java.nio.file.FileAlreadyExistsException if something is at {@code path} already
   */
  static RestoredFile createNew(Path path, int mode) throws IOException {
    if (UnixDescriptors.usableFor(path)) {
      int fd = UnixDescriptors.createNew(path, mode & 0777);
      try {
        return new Descriptor(fd, UnixDescriptors.wrap(fd, path), path);
      } catch (RuntimeException | Error e) {
        UnixDescriptors.close(fd, path);
        throw e;
      }
    }
    return new Channel(FileChannel.open(path, NEW_FILE, RestoredMetadata.creationPermissions(mode)), path);
  }

  /** Where the file was created. */
  Path path();

  /** Writes all {@code length} bytes of {@code data} from {@code from} at {@code position}. */
  void write(byte[] data, int from, int length, long position) throws IOException;

  /**
   * Sets the file's modification and access times through the open file, if this JVM can; false where
   * they must be set by path.
   */
  boolean setTimes(Instant modified, Instant accessed) throws IOException;

  void close() throws IOException;

  /**
   * A file written through the JDK's {@code pwrite} and closed through its {@code close}: {@code fd} and
   * the JDK's object for it ({@code descriptor}), which its {@code pwrite} takes.
   */
  record Descriptor(int fd, FileDescriptor descriptor, Path path) implements RestoredFile {
    @Override
    public void write(byte[] data, int from, int length, long position) throws IOException {
      UnixDescriptors.write(descriptor, path, data, from, length, position);
    }

    @Override
    public boolean setTimes(Instant modified, Instant accessed) throws IOException {
      if (!UnixFileTimes.settable(modified, accessed)) {
        return false;
      }
      UnixFileTimes.set(fd, path, modified, accessed);
      return true;
    }

    @Override
    public void close() throws IOException {
      UnixDescriptors.close(fd, path);
    }
  }

  /** A file written through a {@link FileChannel}. */
  record Channel(FileChannel channel, Path path) implements RestoredFile {
    /**
     * The most written at once: the JDK writes a heap array through a direct buffer as large as the write
     * and keeps it for the thread, so writing whole 4 MiB chunks would cost each restore thread 4 MiB of
     * native memory for the rest of the process.
     */
    private static final int WRITE_SLICE = 256 << 10;

    @Override
    public void write(byte[] data, int from, int length, long position) throws IOException {
      for (int done = 0; done < length; ) {
        done += channel.write(ByteBuffer.wrap(data, from + done, Math.min(WRITE_SLICE, length - done)), position + done);
      }
    }

    @Override
    public boolean setTimes(Instant modified, Instant accessed) throws IOException {
      if (!UnixFileTimes.settable(channel, modified, accessed)) {
        return false;
      }
      UnixFileTimes.set(channel, path, modified, accessed);
      return true;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
