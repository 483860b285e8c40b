package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The CLI in child JVMs on one repository, for tests where processes must be separate: frozen with
 * SIGSTOP, resumed with SIGCONT, running side by side. Children run the classes this test was built
 * against (the test's class path without the test frameworks).
 */
final class ChildCli {
  /** How long any one child may run: a hang detector, not a timing assertion. */
  private static final long HANG_SECONDS = 240;

  private final Path work;
  private final Path configDir;
  private final Path repo;
  private final AtomicInteger runs = new AtomicInteger();

  ChildCli(Path work, Path configDir, Path repo) {
    this.work = work;
    this.configDir = configDir;
    this.repo = repo;
  }

  /** What a finished child printed and returned. */
  record Outcome(int code, String out, String err) {
    Outcome assertSuccess() {
      assertEquals(Main.SUCCESS, code, () -> "exit code; stdout: " + out + "; stderr: " + err);
      return this;
    }

    Map<String, Object> json() {
      return JsonParser.object(out);
    }
  }

  /** A running child. */
  final class Child {
    private final Process process;
    private final Path out;
    private final Path err;

    private Child(Process process, Path out, Path err) {
      this.process = process;
      this.out = out;
      this.err = err;
    }

    long pid() {
      return process.pid();
    }

    boolean isAlive() {
      return process.isAlive();
    }

    void signal(String name) throws IOException, InterruptedException {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      assertEquals(0, kill.waitFor(), "kill -" + name + " " + process.pid());
    }

    Outcome await() throws IOException, InterruptedException {
      if (!process.waitFor(HANG_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("child " + process.pid() + " still ran after " + HANG_SECONDS + " s; stderr: "
            + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Ends the child if a test failed while it ran (a stopped child is continued so that it can die). */
    void destroy() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  /** Starts {@code bakare --config-dir DIR -r REPO args...} in a child JVM. */
  Child start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  /** Starts a child as {@link #start(String...)} does, with {@code environment} added to this process's. */
  Child start(Map<String, String> environment, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx512m", "-cp", classpath(),
        Main.class.getName(), "--config-dir", configDir.toString(), "--cache-dir", work.resolve("cache").toString(),
        "-r", repo.toString()));
    command.addAll(List.of(args));
    int n = runs.incrementAndGet();
    Path out = work.resolve("child-" + n + ".out");
    Path err = work.resolve("child-" + n + ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().keySet().removeIf(name -> name.startsWith("BAKARE_") || name.startsWith("JAVA_TOOL"));
    builder.environment().putAll(environment);
    return new Child(builder.start(), out, err);
  }

  Outcome run(String... args) throws IOException, InterruptedException {
    return start(args).await();
  }

  /** Waits for {@code condition}, checking every 20 ms, failing after {@code deadline}. */
  static void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
    await(what, deadline, condition, () -> "");
  }

  /**
   * Waits for {@code condition} like {@link #await(String, Duration, BooleanSupplier)}; a failure also says
   * what {@code state} describes at that moment, since the children's files go with the test's directory.
   */
  static void await(String what, Duration deadline, BooleanSupplier condition, Supplier<String> state)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        String described = state.get();
        throw new AssertionError("gave up after " + deadline.toSeconds() + " s waiting until " + what
            + (described.isEmpty() ? "" : "; " + described));
      }
      Thread.sleep(20);
    }
  }

  /** The packs in the repository now. */
  Set<String> packs() {
    Set<String> packs = new HashSet<>();
    Map<Path, Long> files;
    try {
      files = LiveFiles.sizes(repo.resolve("data"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the packs of " + repo, e);
    }
    for (Path file : files.keySet()) {
      String name = file.getFileName().toString();
      if (name.matches("[0-9a-f]{64}")) {
        packs.add(name);
      }
    }
    return packs;
  }

  /** SHA-256 of every regular file below {@code root}, by relative path. */
  static Map<String, String> digests(Path root) throws IOException {
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        MessageDigest sha;
        try {
          sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("this JDK lacks SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(p)) {
          byte[] buffer = new byte[1 << 16];
          for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
          }
        }
        digests.put(root.relativize(p).toString(), HexFormat.of().formatHex(sha.digest()));
      }
    }
    return digests;
  }

  /** Writes {@code bytes} of data no earlier file holds (so it neither compresses nor deduplicates). */
  static void writeRandom(Path file, int bytes, java.util.Random random) throws IOException {
    byte[] data = new byte[bytes];
    random.nextBytes(data);
    Files.write(file, data);
  }

  /** Restores every snapshot (in this process) and checks each against what was backed up. */
  static void assertEverySnapshotRestores(CliRunner cli, Path repo, Path target, Map<String, Map<String, String>> expected,
      Map<String, Path> sources) throws IOException {
    Object listed = JsonParser.parse(cli.run("-r", repo, "--json", "snapshots").assertSuccess().out());
    for (Object o : (List<?>) listed) {
      String id = (String) ((Map<?, ?>) o).get("id");
      assertTrue(expected.containsKey(id), "snapshot " + id + " is none of those the test made: " + expected.keySet());
      Path into = target.resolve(id.substring(0, 8));
      cli.run("-r", repo, "restore", id, "--target", into).assertSuccess();
      assertEquals(expected.get(id), digests(CliRunner.restored(into, sources.get(id))), "snapshot " + id);
    }
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String classpath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      String name = path.getFileName() == null ? "" : path.getFileName().toString();
      if (entry.isEmpty() || name.equals("test-classes") || name.startsWith("junit-") || name.startsWith("opentest4j")
          || name.startsWith("apiguardian")) {
        continue;
      }
      entries.add(entry);
    }
    return String.join(File.pathSeparator, entries);
  }
}
