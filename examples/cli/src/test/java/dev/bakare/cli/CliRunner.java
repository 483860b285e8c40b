package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Runs the CLI in-process through {@link Main#run} with captured streams, a key directory of its own
 * (never the user's), and an environment the test controls.
 */
final class CliRunner {
  /** What one run printed and returned. */
  record Result(int code, String out, String err) {
    /** Fails unless the run failed with {@code code} and exactly one line {@code bakare: ...} on stderr. */
    Result assertOneLineError(int expectedCode, String fragment) {
      assertEquals(expectedCode, code, () -> "exit code; stdout: " + out + "; stderr: " + err);
      List<String> lines = err.strip().lines().toList();
      assertEquals(1, lines.size(), () -> "one line on stderr, got: " + err);
      assertTrue(lines.get(0).startsWith("bakare: "), () -> "starts with 'bakare: ': " + err);
      assertTrue(lines.get(0).contains(fragment), () -> "mentions '" + fragment + "': " + err);
      assertFalse(err.contains("\tat "), () -> "no stack trace: " + err);
      return this;
    }

    Result assertSuccess() {
      assertEquals(Main.SUCCESS, code, () -> "exit code; stdout: " + out + "; stderr: " + err);
      return this;
    }
  }

  /** A terminal with nobody at it, as in CI and under Maven. */
  static final Terminal NO_TERMINAL = new Terminal() {
    @Override
    public boolean isInteractive() {
      return false;
    }

    @Override
    public char @Nullable [] readPassword(String prompt) {
      throw new AssertionError("no prompt without a terminal, but asked: " + prompt);
    }
  };

  /** A person at a terminal who types {@code answer} when asked, counting the prompts. */
  static Terminal person(String answer, AtomicInteger prompts) {
    return new Terminal() {
      @Override
      public boolean isInteractive() {
        return true;
      }

      @Override
      public char[] readPassword(String prompt) {
        prompts.incrementAndGet();
        return answer.toCharArray();
      }
    };
  }

  final Path configDir;
  final Map<String, String> env = new HashMap<>();
  Terminal terminal = NO_TERMINAL;

  CliRunner(Path configDir) {
    this.configDir = configDir;
    // Caches go next to the test's config, not into the home directory of whoever runs the tests.
    env.put("XDG_CACHE_HOME", configDir.resolveSibling(configDir.getFileName() + "-cache").toString());
  }

  /** Runs {@code bakare --config-dir DIR args...}; paths among the arguments are turned into strings. */
  Result run(Object... args) {
    List<String> argv = new ArrayList<>(List.of("--config-dir", configDir.toString()));
    for (Object arg : args) {
      argv.add(arg.toString());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(argv.toArray(String[]::new), outStream, errStream, env, terminal);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Every regular file below {@code root}, by path relative to it, with its bytes. */
  static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  /** Where a restore into {@code target} puts {@code source}: below the target at its absolute path. */
  static Path restored(Path target, Path source) {
    Path absolute = source.toAbsolutePath();
    return target.resolve(absolute.getRoot().relativize(absolute).toString());
  }
}
