package dev.bakare.internal.backup;

import dev.bakare.internal.jdk.JdkInternals;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * The fields of the JDK's own {@code lstat} result that {@link PosixFileAttributes} does not show (full mode,
 * inode, device, link count, owner ids, ctime), read from the object {@code Files.readAttributes(path,
 * PosixFileAttributes.class, NOFOLLOW_LINKS)} returns on Linux, when {@code java.base} opens {@code
 * sun.nio.fs} to bakare (the CLI's jar does: {@code Add-Opens} in its manifest). Otherwise {@link #AVAILABLE}
 * is false and {@link SourceMetadata} asks for the same fields by name ({@code "unix:mode,ino,..."}), which
 * parses that string and fills a map of boxed values for every file: in a backup of many unchanged files
 * that costs more processor time than the system call.
 */
final class UnixStat {
  private static final @Nullable Class<?> ATTRIBUTES_CLASS = JdkInternals.type("sun.nio.fs.UnixFileAttributes");
  private static final @Nullable MethodHandle MODE = accessor("mode", int.class);
  private static final @Nullable MethodHandle INO = accessor("ino", long.class);
  private static final @Nullable MethodHandle DEV = accessor("dev", long.class);
  private static final @Nullable MethodHandle NLINK = accessor("nlink", int.class);
  private static final @Nullable MethodHandle UID = accessor("uid", int.class);
  private static final @Nullable MethodHandle GID = accessor("gid", int.class);
  private static final @Nullable MethodHandle CTIME = accessor("ctime", FileTime.class);

  /** Whether the JDK's attributes can be read directly in this JVM. */
  static final boolean AVAILABLE = MODE != null && INO != null && DEV != null && NLINK != null && UID != null
      && GID != null && CTIME != null;

  private UnixStat() {}

  /** Whether {@code attributes} is the JDK's lstat result whose fields this class reads. */
  static boolean readable(PosixFileAttributes attributes) {
    return AVAILABLE && attributes.getClass() == ATTRIBUTES_CLASS;
  }

  // Each handle is invoked exactly, with its own return type, at a call site of its own: adapted to return
  // Object behind one shared invoker, they boxed the mode, inode and device of every file (8% of the bytes a
  // no-change backup of 300,000 small files allocated), the JIT not seeing which handle it called.

  /** {@code st_mode}: file type and all permission bits, set-id and sticky bits included. */
  static int mode(PosixFileAttributes attributes) {
    try {
      return (int) handle(MODE, attributes).invokeExact(attributes);
    } catch (Throwable e) {
      throw failed(MODE, attributes, e);
    }
  }

  static long inode(PosixFileAttributes attributes) {
    try {
      return (long) handle(INO, attributes).invokeExact(attributes);
    } catch (Throwable e) {
      throw failed(INO, attributes, e);
    }
  }

  static long device(PosixFileAttributes attributes) {
    try {
      return (long) handle(DEV, attributes).invokeExact(attributes);
    } catch (Throwable e) {
      throw failed(DEV, attributes, e);
    }
  }

  static long links(PosixFileAttributes attributes) {
    return unsigned(NLINK, attributes);
  }

  static long uid(PosixFileAttributes attributes) {
    return unsigned(UID, attributes);
  }

  static long gid(PosixFileAttributes attributes) {
    return unsigned(GID, attributes);
  }

  static FileTime ctime(PosixFileAttributes attributes) {
    try {
      return (FileTime) handle(CTIME, attributes).invokeExact(attributes);
    } catch (Throwable e) {
      throw failed(CTIME, attributes, e);
    }
  }

  private static long unsigned(@Nullable MethodHandle accessor, PosixFileAttributes attributes) {
    try {
      return ((int) handle(accessor, attributes).invokeExact(attributes)) & 0xFFFF_FFFFL;
    } catch (Throwable e) {
      throw failed(accessor, attributes, e);
    }
  }

  private static MethodHandle handle(@Nullable MethodHandle accessor, PosixFileAttributes attributes) {
    if (accessor == null || !readable(attributes)) {
      throw new IllegalStateException("the JDK's lstat fields are not readable here; check readable() first");
    }
    return accessor;
  }

  private static RuntimeException failed(@Nullable MethodHandle accessor, PosixFileAttributes attributes,
      Throwable e) {
    if (e instanceof RuntimeException r) {
      return r;
    }
    if (e instanceof Error error) {
      throw error;
    }
    return new IllegalStateException("reading " + accessor + " of " + attributes.getClass().getName() + " failed", e);
  }

  private static @Nullable MethodHandle accessor(String name, Class<?> type) {
    MethodHandle handle = JdkInternals.virtualMethod(ATTRIBUTES_CLASS, name, MethodType.methodType(type));
    return handle == null ? null
        : handle.asType(MethodType.methodType(type, PosixFileAttributes.class));
  }
}
