package dev.bakare;

import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.backup.FileOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One failing file never fails the others. Tests run as root, for whom permissions deny nothing, so the
 * failures come from a file opener that fails the way the kernel does.
 */
class UnreadableFilesTest {
  @TempDir Path temp;

  @Test
  void unreadableVanishedAndFailingFilesAreRecordedAndTheRestIsBackedUp() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = Files.createDirectories(temp.resolve("source"));
    for (int i = 0; i < 10; i++) {
      Files.writeString(source.resolve("good" + i + ".txt"), "good file " + i);
    }
    Path denied = Files.writeString(source.resolve("denied.txt"), "secret");
    Path vanishing = Files.writeString(source.resolve("vanishing.txt"), "here now");
    Path failing = Files.writeString(source.resolve("bad-disk.bin"), "x".repeat(100_000));
    FileOpener opener = path -> {
      if (path.equals(denied)) {
        throw new AccessDeniedException(path.toString());
      }
      if (path.equals(vanishing)) {
        Files.delete(path);
      }
      FileChannel channel = FileOpener.DEFAULT.open(path);
      return path.equals(failing) ? new FailingChannel(channel) : channel;
    };
    List<FileError> reported = Collections.synchronizedList(new ArrayList<>());
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.builder().path(source).listener(new ProgressListener() {
        @Override
        public void onError(FileError error) {
          reported.add(error);
        }
      }).build(), opener);

      assertTrue(snapshot.isPartial());
      assertEquals(3, snapshot.stats().errorCount());
      assertEquals(10, snapshot.stats().files());
      assertEquals(new FileError(denied.toString(), "permission denied"), find(snapshot.errors(), denied));
      assertEquals(new FileError(vanishing.toString(), "vanished during backup"), find(snapshot.errors(), vanishing));
      assertTrue(find(snapshot.errors(), failing).reason().contains("Input/output error"), snapshot.errors().toString());
      assertEquals(3, reported.size(), "the listener hears of every failure as it happens");
      List<String> paths = snapshot.errors().stream().map(FileError::path).toList();
      assertEquals(paths.stream().sorted().toList(), paths, "errors are listed in path order, whichever thread met them");

      Snapshot reread = r.snapshot(snapshot.id().hex());
      assertEquals(snapshot.errors(), reread.errors(), "errors are stored in the snapshot");

      Path target = temp.resolve("target");
      RestoreResult result = r.restore(snapshot.id(), target);
      for (int i = 0; i < 10; i++) {
        assertEquals("good file " + i, Files.readString(restored(target, source.resolve("good" + i + ".txt"))));
      }
      assertFalse(Files.exists(restored(target, denied)), "a file that was not backed up is not invented");
      assertTrue(result.errors().stream().anyMatch(e -> e.path().endsWith("denied.txt")
          && e.reason().contains("not in the backup: permission denied")), result.errors().toString());
    }
  }

  /** A directory whose listing fails part way (an I/O error reading it) is recorded, not fatal. */
  @Test
  void aDirectoryThatFailsWhileItIsListedIsRecordedAndTheRestIsBackedUp() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = Files.createDirectories(temp.resolve("source"));
    Path fine = Files.createDirectories(source.resolve("fine"));
    Path failing = Files.createDirectories(source.resolve("failing"));
    for (int i = 0; i < 5; i++) {
      Files.writeString(fine.resolve("kept" + i + ".txt"), "kept " + i);
      Files.writeString(failing.resolve("lost" + i + ".txt"), "lost " + i);
    }
    FileOpener opener = new FileOpener() {
      @Override
      public FileChannel open(Path path) throws IOException {
        return FileOpener.DEFAULT.open(path);
      }

      @Override
      public DirectoryStream<Path> list(Path directory) throws IOException {
        DirectoryStream<Path> real = Files.newDirectoryStream(directory);
        if (!directory.equals(failing)) {
          return real;
        }
        return new DirectoryStream<>() {
          @Override
          public Iterator<Path> iterator() {
            Iterator<Path> entries = real.iterator();
            return new Iterator<>() {
              int given;

              @Override
              public boolean hasNext() {
                if (given == 2) {
                  throw new DirectoryIteratorException(new IOException("Input/output error"));
                }
                return entries.hasNext();
              }

              @Override
              public Path next() {
                given++;
                return entries.next();
              }
            };
          }

          @Override
          public void close() throws IOException {
            real.close();
          }
        };
      }
    };
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source), opener);

      assertTrue(snapshot.isPartial());
      assertEquals(new FileError(failing.toString(), "Input/output error"), find(snapshot.errors(), failing));
      Path target = temp.resolve("target");
      r.restore(snapshot.id(), target);
      for (int i = 0; i < 5; i++) {
        assertEquals("kept " + i, Files.readString(restored(target, fine).resolve("kept" + i + ".txt")));
      }
      assertFalse(Files.exists(restored(target, failing).resolve("lost0.txt")),
          "a directory that could not be listed whole is stored without entries, with its error");
    }
  }

  private static FileError find(List<FileError> errors, Path path) {
    return errors.stream().filter(e -> e.path().equals(path.toString())).findFirst()
        .orElseThrow(() -> new AssertionError("no error recorded for " + path + " in " + errors));
  }

  /** Reads a little, then fails like a bad sector. */
  private static final class FailingChannel extends FileChannel {
    private final FileChannel delegate;
    private int reads;

    FailingChannel(FileChannel delegate) {
      this.delegate = delegate;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (reads++ > 0) {
        throw new IOException("Input/output error");
      }
      ByteBuffer limited = dst.slice();
      limited.limit(Math.min(limited.remaining(), 1000));
      int n = delegate.read(limited);
      dst.position(dst.position() + Math.max(0, n));
      return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      throw new IOException("Input/output error");
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      throw new IOException("read-only");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new IOException("read-only");
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      throw new IOException("read-only");
    }

    @Override
    public void force(boolean metaData) {}

    @Override
    public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target) throws IOException {
      throw new IOException("Input/output error");
    }

    @Override
    public long transferFrom(java.nio.channels.ReadableByteChannel src, long position, long count) throws IOException {
      throw new IOException("read-only");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      throw new IOException("Input/output error");
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      throw new IOException("read-only");
    }

    @Override
    public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new IOException("Input/output error");
    }

    @Override
    public java.nio.channels.FileLock lock(long position, long size, boolean shared) throws IOException {
      throw new IOException("unsupported");
    }

    @Override
    public java.nio.channels.FileLock tryLock(long position, long size, boolean shared) throws IOException {
      throw new IOException("unsupported");
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }
}
