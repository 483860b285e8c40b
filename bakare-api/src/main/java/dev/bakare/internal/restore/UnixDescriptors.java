package dev.bakare.internal.restore;

import dev.bakare.internal.jdk.JdkInternals;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Creating, writing and closing a restored file through the JDK's own wrappers of {@code open},
 * {@code pwrite} and {@code close}, on a bare descriptor, when {@code java.base} opens {@code sun.nio.fs}
 * and {@code sun.nio.ch} to bakare (the CLI's jar does: {@code Add-Opens} in its manifest). A
 * {@code FileChannel} around each of 300,000 small files cost the restore threads ~1.7 of their ~13.5
 * CPU seconds beyond the system calls themselves: the channel, its cleaner registered and removed under a
 * lock, its thread bookkeeping for interruption, the option set parsed per file. Where this is not
 * {@link #AVAILABLE} (another JDK's internals, packages not opened, a path of another file system),
 * {@link RestoredFile} uses a channel.
 */
final class UnixDescriptors {
  private static final @Nullable Class<?> UNIX_PATH = JdkInternals.type("sun.nio.fs.UnixPath");
  private static final @Nullable MethodHandle OPEN = open();
  /** In {@code sun.nio.ch.UnixFileDispatcherImpl} since JDK 21, in {@code FileDispatcherImpl} before. */
  private static final @Nullable MethodHandle PWRITE = dispatcherMethod("pwrite0",
      MethodType.methodType(int.class, FileDescriptor.class, long.class, int.class, long.class));
  private static final @Nullable MethodHandle CLOSE = dispatcherMethod("closeIntFD",
      MethodType.methodType(void.class, int.class));
  private static final @Nullable MethodHandle NEW_FD = JdkInternals.staticMethod("sun.nio.ch.IOUtil", "newFD",
      MethodType.methodType(FileDescriptor.class, int.class));
  private static final @Nullable MethodHandle ADDRESS = JdkInternals.virtualMethod(
      JdkInternals.type("sun.nio.ch.DirectBuffer"), "address", MethodType.methodType(long.class));
  private static final @Nullable MethodHandle ERRNO = JdkInternals.virtualMethod(
      JdkInternals.type("sun.nio.fs.UnixException"), "errno", MethodType.methodType(int.class));
  private static final int CREATE_NEW_FLAGS = constant("O_WRONLY") | constant("O_CREAT") | constant("O_EXCL")
      | constant("O_NOFOLLOW");
  private static final int EEXIST = constant("EEXIST");
  /** What {@code pwrite0} returns when the call was interrupted before it wrote anything. */
  private static final int INTERRUPTED = -3;

  /** Whether files can be created, written and closed this way. */
  static final boolean AVAILABLE = OPEN != null && PWRITE != null && CLOSE != null && NEW_FD != null
      && ADDRESS != null && ERRNO != null && CREATE_NEW_FLAGS > 0 && EEXIST > 0;

  /**
   * Each thread's native buffer that writes go through, as the JDK's channels copy a heap array into a
   * direct buffer too; this size bounds what a restore thread holds.
   */
  static final int SLICE = 256 << 10;
  private static final ThreadLocal<ByteBuffer> SLICES = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SLICE));

  private UnixDescriptors() {}

  /** Whether {@code path} can be created this way: {@link #AVAILABLE}, and a path of the default file system. */
  static boolean usableFor(Path path) {
    return AVAILABLE && path.getFileSystem() == FileSystems.getDefault() && UNIX_PATH != null
        && UNIX_PATH.isInstance(path);
  }

  /**
   * Creates {@code path}, which must not exist (not even as a symlink, which is never followed), with
   * {@code permissions} (the umask applies), open for writing; returns its descriptor.
   *
   * @throws FileAlreadyExistsException if something is at {@code path} already
   */
  static int createNew(Path path, int permissions) throws IOException {
    if (!usableFor(path)) {
      throw new IllegalStateException("descriptors are not usable for " + path + "; check usableFor() first");
    }
    try {
      return (int) java.util.Objects.requireNonNull(OPEN).invoke(path, CREATE_NEW_FLAGS, permissions);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      // sun.nio.fs.UnixException: its message is the system's error text.
      if (errno(e) == EEXIST) {
        throw new FileAlreadyExistsException(path.toString());
      }
      throw new IOException("creating " + path + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code length} bytes of {@code data} from {@code from} at {@code position} of the file open as
   * {@code descriptor} ({@link #wrap}).
   */
  static void write(FileDescriptor descriptor, Path path, byte[] data, int from, int length, long position)
      throws IOException {
    ByteBuffer slice = SLICES.get();
    long address = address(slice);
    for (int done = 0; done < length; ) {
      int n = Math.min(SLICE, length - done);
      slice.clear();
      slice.put(data, from + done, n);
      int written = 0;
      while (written < n) {
        int w = pwrite(descriptor, address + written, n - written, position + done + written, path);
        if (w == INTERRUPTED) {
          continue;
        }
        if (w <= 0) {
          throw new IOException("writing " + path + " failed: the system wrote nothing (" + w + ")");
        }
        written += w;
      }
      done += n;
    }
  }

  /** Closes the file open as {@code fd}. */
  static void close(int fd, Path path) throws IOException {
    try {
      java.util.Objects.requireNonNull(CLOSE).invoke(fd);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("closing " + path + " failed: " + e.getMessage(), e);
    }
  }

  private static int pwrite(FileDescriptor descriptor, long address, int length, long position, Path path)
      throws IOException {
    try {
      return (int) java.util.Objects.requireNonNull(PWRITE).invoke(descriptor, address, length, position);
    } catch (IOException e) {
      throw new IOException("writing " + path + " failed: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("writing " + path + " failed: " + e, e);
    }
  }

  /** The JDK's descriptor object for {@code fd}, which the JDK's {@code pwrite} takes; made once per file. */
  static FileDescriptor wrap(int fd, Path path) {
    try {
      return (FileDescriptor) java.util.Objects.requireNonNull(NEW_FD).invoke(fd);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("wrapping the descriptor of " + path + " failed", e);
    }
  }

  private static long address(ByteBuffer direct) {
    try {
      return (long) java.util.Objects.requireNonNull(ADDRESS).invoke(direct);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("the address of a direct buffer could not be read", e);
    }
  }

  private static int errno(Throwable unixException) {
    try {
      return (int) java.util.Objects.requireNonNull(ERRNO).invoke(unixException);
    } catch (Throwable e) {
      return -1;
    }
  }

  private static @Nullable MethodHandle open() {
    if (UNIX_PATH == null) {
      return null;
    }
    MethodHandle open = JdkInternals.staticMethod("sun.nio.fs.UnixNativeDispatcher", "open",
        MethodType.methodType(int.class, UNIX_PATH, int.class, int.class));
    return open == null ? null : open.asType(MethodType.methodType(int.class, Path.class, int.class, int.class));
  }

  private static @Nullable MethodHandle dispatcherMethod(String name, MethodType type) {
    MethodHandle handle = JdkInternals.staticMethod("sun.nio.ch.UnixFileDispatcherImpl", name, type);
    return handle != null ? handle : JdkInternals.staticMethod("sun.nio.ch.FileDispatcherImpl", name, type);
  }

  /** A constant of {@code sun.nio.fs.UnixConstants} (this platform's flag or error number), or -1. */
  private static int constant(String name) {
    MethodHandle getter = JdkInternals.staticFieldGetter("sun.nio.fs.UnixConstants", name, int.class);
    if (getter == null) {
      return -1;
    }
    try {
      return (int) getter.invoke();
    } catch (Throwable e) {
      return -1;
    }
  }
}
