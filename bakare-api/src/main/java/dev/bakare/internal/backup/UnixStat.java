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

  /** {@code st_mode}: file type and all permission bits, set-id and sticky bits included. */
  static int mode(PosixFileAttributes attributes) {
    return (int) invoke(MODE, attributes);
  }

  static long inode(PosixFileAttributes attributes) {
    return (long) invoke(INO, attributes);
  }

  static long device(PosixFileAttributes attributes) {
    return (long) invoke(DEV, attributes);
  }

  static long links(PosixFileAttributes attributes) {
    return ((int) invoke(NLINK, attributes)) & 0xFFFF_FFFFL;
  }

  static long uid(PosixFileAttributes attributes) {
    return ((int) invoke(UID, attributes)) & 0xFFFF_FFFFL;
  }

  static long gid(PosixFileAttributes attributes) {
    return ((int) invoke(GID, attributes)) & 0xFFFF_FFFFL;
  }

  static FileTime ctime(PosixFileAttributes attributes) {
    return (FileTime) invoke(CTIME, attributes);
  }

  private static Object invoke(@Nullable MethodHandle accessor, PosixFileAttributes attributes) {
    if (accessor == null || !readable(attributes)) {
      throw new IllegalStateException("the JDK's lstat fields are not readable here; check readable() first");
    }
    try {
      return accessor.invoke(attributes);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("reading " + accessor + " of " + attributes.getClass().getName() + " failed", e);
    }
  }

  private static @Nullable MethodHandle accessor(String name, Class<?> type) {
    MethodHandle handle = JdkInternals.virtualMethod(ATTRIBUTES_CLASS, name, MethodType.methodType(type));
    return handle == null ? null
        : handle.asType(MethodType.methodType(Object.class, PosixFileAttributes.class));
  }
}
