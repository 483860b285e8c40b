package dev.bakare.internal.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserDirectoriesTest {
  @Test
  void theXdgVariablesComeFirst() {
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", "/etc/xdg-config", "XDG_CACHE_HOME", "/var/cache/me",
        "HOME", "/home/me");
    assertEquals(Path.of("/etc/xdg-config/bakare"), UserDirectories.config(env));
    assertEquals(Path.of("/var/cache/me/bakare"), UserDirectories.cache(env));
  }

  /** The JVM's user.home ignores HOME (it reads the password database); shells and other tools do not. */
  @Test
  void theHomeDirectoryIsHomeWhenSet() {
    Map<String, String> env = Map.of("HOME", "/tmp/elsewhere");
    assertEquals(Path.of("/tmp/elsewhere/.config/bakare"), UserDirectories.config(env));
    assertEquals(Path.of("/tmp/elsewhere/.cache/bakare"), UserDirectories.cache(env));
  }

  @Test
  void relativeOrEmptyValuesAreIgnored() {
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", "relative/dir", "XDG_CACHE_HOME", "", "HOME", "also-relative");
    Path home = Path.of(System.getProperty("user.home"));
    assertEquals(home.resolve(".config/bakare"), UserDirectories.config(env));
    assertEquals(home.resolve(".cache/bakare"), UserDirectories.cache(env));
  }
}
