package dev.bakare.internal.restore;

import dev.bakare.internal.jdk.JdkInternals;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Sets a restored file's times through the descriptor it was written with ({@code futimens}), when
 * {@code java.base} opens {@code sun.nio.ch} and {@code sun.nio.fs} to bakare (the CLI's jar does:
 * {@code Add-Opens} in its manifest). The public way, {@code BasicFileAttributeView.setTimes} without
 * following links, costs the JDK an {@code lstat}, an {@code open} and a {@code close} of the path for every
 * file: three of the seven system calls that restoring a small file took. Where this is not
 * {@link #AVAILABLE}, {@link RestoredMetadata} takes the public way.
 */
final class UnixFileTimes {
  private static final @Nullable MethodHandle CHANNEL_FD =
      JdkInternals.fieldGetter("sun.nio.ch.FileChannelImpl", "fd", FileDescriptor.class);
  private static final @Nullable MethodHandle FD_VALUE =
      JdkInternals.staticMethod("sun.nio.ch.IOUtil", "fdVal", MethodType.methodType(int.class, FileDescriptor.class));
  private static final @Nullable MethodHandle FUTIMENS = JdkInternals.staticMethod("sun.nio.fs.UnixNativeDispatcher",
      "futimens", MethodType.methodType(void.class, int.class, long.class, long.class));
  private static final @Nullable Class<?> CHANNEL_CLASS = JdkInternals.type("sun.nio.ch.FileChannelImpl");

  /** Whether this JVM lets bakare call {@code futimens} on a channel's descriptor. */
  static final boolean AVAILABLE = CHANNEL_FD != null && FD_VALUE != null && FUTIMENS != null && futimensSupported();

  private UnixFileTimes() {}

  /**
   * Whether {@link #set} can set these times on {@code channel}: it is the JDK's file channel, and both
   * times are after 1970 and before 2262 (nanoseconds since the epoch in a long; other times take the
   * public way, which handles them).
   */
  static boolean settable(FileChannel channel, Instant modified, Instant accessed) {
    return channel.getClass() == CHANNEL_CLASS && channel.isOpen() && settable(modified, accessed);
  }

  /**
   * Whether {@link #set(int, Path, Instant, Instant)} can set these times on an open descriptor: {@code
   * futimens} is reachable, and both times are after 1970 and before 2262.
   */
  static boolean settable(Instant modified, Instant accessed) {
    return AVAILABLE && representable(modified) && representable(accessed);
  }

  /**
   * Sets the modification and access time of the file open as {@code channel} ({@code path} names it in
   * errors); check {@link #settable} first.
   */
  static void set(FileChannel channel, Path path, Instant modified, Instant accessed) throws IOException {
    if (!settable(channel, modified, accessed)) {
      throw new IllegalStateException("futimens is not usable for " + path + "; check settable() first");
    }
    MethodHandle channelFd = java.util.Objects.requireNonNull(CHANNEL_FD);
    MethodHandle fdValue = java.util.Objects.requireNonNull(FD_VALUE);
    int fd;
    try {
      fd = (int) fdValue.invoke((FileDescriptor) channelFd.invoke(channel));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("reading the descriptor of the channel of " + path + " failed", e);
    }
    set(fd, path, modified, accessed);
  }

  /**
   * Sets the modification and access time of the file open as {@code fd} ({@code path} names it in
   * errors); check {@link #settable(Instant, Instant)} first.
   */
  static void set(int fd, Path path, Instant modified, Instant accessed) throws IOException {
    if (!settable(modified, accessed)) {
      throw new IllegalStateException("futimens is not usable for " + path + "; check settable() first");
    }
    try {
      java.util.Objects.requireNonNull(FUTIMENS).invoke(fd, nanos(accessed), nanos(modified));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      // sun.nio.fs.UnixException: its message is the system's error text.
      throw new IOException("setting the times of " + path + " failed: " + e.getMessage(), e);
    }
  }

  private static boolean representable(Instant time) {
    return time.getEpochSecond() >= 0 && time.getEpochSecond() < Long.MAX_VALUE / 1_000_000_000L - 1;
  }

  private static long nanos(Instant time) {
    return time.getEpochSecond() * 1_000_000_000L + time.getNano();
  }

  /** JDK 17 asks the platform; later JDKs require futimens and dropped the question. */
  private static boolean futimensSupported() {
    MethodHandle supported = JdkInternals.staticMethod("sun.nio.fs.UnixNativeDispatcher", "futimensSupported",
        MethodType.methodType(boolean.class));
    if (supported == null) {
      return true; // where FUTIMENS is reachable; elsewhere it is null and AVAILABLE false anyway
    }
    try {
      return (boolean) supported.invoke();
    } catch (Throwable e) {
      return false; // then restores set times the public way
    }
  }
}
