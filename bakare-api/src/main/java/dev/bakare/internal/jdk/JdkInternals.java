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
    return find(owner, (lookup, c) -> lookup.findVirtual(c, name, type));
  }

  /** A handle on the constructor of {@code owner} that takes {@code type}'s parameters, or null. */
  public static @Nullable MethodHandle constructor(@Nullable Class<?> owner, MethodType type) {
    return find(owner, (lookup, c) -> lookup.findConstructor(c, type));
  }

  /** A handle on the static method {@code name} of the class named {@code owner}, or null. */
  public static @Nullable MethodHandle staticMethod(String owner, String name, MethodType type) {
    return find(type(owner), (lookup, c) -> lookup.findStatic(c, name, type));
  }

  /** A handle reading the instance field {@code name} of the class named {@code owner}, or null. */
  public static @Nullable MethodHandle fieldGetter(String owner, String name, Class<?> type) {
    return find(type(owner), (lookup, c) -> lookup.findGetter(c, name, type));
  }

  /** A handle reading the static field {@code name} of the class named {@code owner}, or null. */
  public static @Nullable MethodHandle staticFieldGetter(String owner, String name, Class<?> type) {
    return find(type(owner), (lookup, c) -> lookup.findStaticGetter(c, name, type));
  }

  /** One kind of lookup in a class, with full access to it. */
  @FunctionalInterface
  private interface Finder {
    MethodHandle find(MethodHandles.Lookup lookup, Class<?> owner) throws ReflectiveOperationException;
  }

  /** What {@code finder} finds in {@code owner}, or null: no such class or member, or no access to it. */
  private static @Nullable MethodHandle find(@Nullable Class<?> owner, Finder finder) {
    if (owner == null) {
      return null;
    }
    try {
      return finder.find(lookupIn(owner), owner);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static MethodHandles.Lookup lookupIn(Class<?> owner) throws IllegalAccessException {
    return MethodHandles.privateLookupIn(owner, MethodHandles.lookup());
  }
}
