package dev.bakare.internal.repo;

import java.nio.file.Path;
import java.util.Map;

/**
 * The user's configuration and cache directories, as the XDG base directory specification reads them: its
 * variable when it holds an absolute path (the specification says to ignore relative ones), else a
 * default under the home directory. The home directory is {@code $HOME} when it is an absolute path, as
 * for shells and other tools (restic, git); the JVM's {@code user.home} comes from the password database
 * and ignores it, so under {@code sudo -H}, in containers or with a changed {@code HOME} it would point
 * elsewhere.
 */
public final class UserDirectories {
  private UserDirectories() {}

  /** {@code $XDG_CONFIG_HOME/bakare}, else {@code ~/.config/bakare}. */
  public static Path config(Map<String, String> environment) {
    return base(environment, "XDG_CONFIG_HOME", ".config").resolve("bakare");
  }

  /** {@code $XDG_CACHE_HOME/bakare}, else {@code ~/.cache/bakare}. */
  public static Path cache(Map<String, String> environment) {
    return base(environment, "XDG_CACHE_HOME", ".cache").resolve("bakare");
  }

  private static Path base(Map<String, String> environment, String variable, String underHome) {
    Path set = absolute(environment.get(variable));
    return set != null ? set : home(environment).resolve(underHome);
  }

  static Path home(Map<String, String> environment) {
    Path set = absolute(environment.get("HOME"));
    return set != null ? set : Path.of(System.getProperty("user.home"));
  }

  private static @org.jspecify.annotations.Nullable Path absolute(@org.jspecify.annotations.Nullable String value) {
    if (value == null || value.isEmpty() || value.indexOf('\0') >= 0) {
      return null;
    }
    Path path = Path.of(value);
    return path.isAbsolute() ? path : null;
  }
}
