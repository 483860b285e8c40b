package dev.bakare.internal.restore;

import org.jspecify.annotations.Nullable;

/**
 * Which entry names a restore may create. A snapshot is data from storage and may be forged: a name that
 * is empty, {@code .}, {@code ..}, or contains {@code /} or NUL could escape the target directory. The
 * name index leaves such entries out too: they cannot be restored.
 */
public final class SafeNames {
  private SafeNames() {}

  /** Why {@code name} is unsafe, or null if it is a plain single path segment. */
  public static @Nullable String problem(String name) {
    if (name.isEmpty()) {
      return "an empty name";
    }
    if (name.equals(".") || name.equals("..")) {
      return "the name '" + name + "'";
    }
    if (name.indexOf('/') >= 0) {
      return "a name containing '/'";
    }
    if (name.indexOf('\0') >= 0) {
      return "a name containing NUL";
    }
    return null;
  }
}
