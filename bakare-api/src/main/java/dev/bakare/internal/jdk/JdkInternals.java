package dev.bakare.internal.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.jspecify.annotations.Nullable;

/**
 * Handles on members of the JDK's own classes, for the few places where the public API costs system calls
 * or allocation per file. Each lookup gives null where the member cannot be reached (its package is not
 * opened to bakare, which is the usual case for a library; another JDK's internals; not a Unix JDK), and
 * the caller then takes the public way.
 */
public final class JdkInternals {
  private JdkInternals() {}

  /** The class, or null if this JDK has no such class. */
  public static @Nullable Class<?> type(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  /** A handle on the instance method {@code name} of {@code owner}, or null. */
  public static @Nullable MethodHandle virtualMethod(@Nullable Class<?> owner, String name, MethodType type) {
    if (owner == null) {
      return null;
    }
    try {
      return lookupIn(owner).findVirtual(owner, name, type);
    } catch (IllegalAccessException | NoSuchMethodException | RuntimeException e) {
      return null;
    }
  }

  /** A handle on the static method {@code name} of the class named {@code owner}, or null. */
  public static @Nullable MethodHandle staticMethod(String owner, String name, MethodType type) {
    Class<?> c = type(owner);
    if (c == null) {
      return null;
    }
    try {
      return lookupIn(c).findStatic(c, name, type);
    } catch (IllegalAccessException | NoSuchMethodException | RuntimeException e) {
      return null;
    }
  }

  /** A handle reading the instance field {@code name} of the class named {@code owner}, or null. */
  public static @Nullable MethodHandle fieldGetter(String owner, String name, Class<?> type) {
    Class<?> c = type(owner);
    if (c == null) {
      return null;
    }
    try {
      return lookupIn(c).findGetter(c, name, type);
    } catch (IllegalAccessException | NoSuchFieldException | RuntimeException e) {
      return null;
    }
  }

  private static MethodHandles.Lookup lookupIn(Class<?> owner) throws IllegalAccessException {
    return MethodHandles.privateLookupIn(owner, MethodHandles.lookup());
  }
}
