package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup that meets an unreadable file, through the real {@code main} in a child JVM. Root reads files of
 * mode 000, so as root the child runs as the unprivileged uid 65534 through {@code setpriv}; as any other
 * user, mode 000 denies by itself.
 */
class PartialBackupProcessTest {
  private static final int NOBODY = 65534;

  @TempDir Path temp;

  private record Outcome(int code, String out, String err) {}

  @Test
  void unreadableFileIsReportedWithExitCode3AndTheRestRestores() throws Exception {
    boolean root = (Integer) Files.getAttribute(temp, "unix:uid") == 0;
    // @TempDir is private to its owner; the child must reach everything below it.
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path classpath = copyClasspath(temp.resolve("classpath"));
    List<String> asChild = new ArrayList<>();
    if (root) {
      asChild.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
      Outcome probe = runProcess(concat(asChild, List.of("test", "-r", classpath.toString())));
      assumeTrue(probe.code() == 0, "cannot run a command as uid " + NOBODY + " with setpriv here (exit "
          + probe.code() + ": " + probe.err().strip() + "), so a file of mode 000 cannot be made unreadable");
    }

    Path work = Files.createDirectories(temp.resolve("work"));
    Path source = Files.createDirectories(work.resolve("source/sub"));
    Files.writeString(source.resolve("readable.txt"), "readable\n");
    Files.writeString(source.resolve("secret.txt"), "nobody may read this\n");
    Path parent = source.getParent();
    Files.writeString(parent.resolve("top.txt"), "top\n");
    makeWorldWritable(work);
    Files.setPosixFilePermissions(source.resolve("secret.txt"), PosixFilePermissions.fromString("---------"));

    List<String> bakare = concat(asChild, List.of(javaExecutable(), "-XX:TieredStopAtLevel=1", "-cp",
        classpathOf(classpath), Main.class.getName(), "--config-dir", work.resolve("config").toString(),
        "-r", work.resolve("repo").toString()));
    Outcome init = runProcess(concat(bakare, List.of("init")));
    assertEquals(0, init.code(), init.toString());

    Outcome backup = runProcess(concat(bakare, List.of("backup", parent.toString())));
    assertEquals(Main.PARTIAL, backup.code(), backup.toString());
    assertTrue(backup.err().contains("error: " + source.resolve("secret.txt") + ": permission denied"), backup.err());
    assertTrue(backup.err().contains("could not be backed up (listed above"), backup.err());
    assertFalse(backup.err().contains("\tat "), backup.err());
    assertTrue(backup.out().contains("(partial)"), backup.out());

    // Restored in this process, as whoever runs the tests: root can read the child's key file.
    CliRunner cli = new CliRunner(work.resolve("config"));
    Path target = temp.resolve("restored");
    CliRunner.Result restore = cli.run("-r", work.resolve("repo"), "restore", "latest", "--target", target);
    assertEquals(Main.FAILURE, restore.code(), restore.toString());
    assertTrue(restore.err().contains("error: " + source.resolve("secret.txt")), restore.err());
    assertTrue(restore.err().strip().lines().reduce((a, b) -> b).orElseThrow()
        .startsWith("bakare: 1 entry of snapshot "), restore.err());
    Path restored = CliRunner.restored(target, parent);
    assertEquals("readable\n", Files.readString(restored.resolve("sub/readable.txt")));
    assertEquals("top\n", Files.readString(restored.resolve("top.txt")));
    assertFalse(Files.exists(restored.resolve("sub/secret.txt")), "what was not read is not invented");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Copies this test's class path (main classes and runtime jars; not the test frameworks) to a place every
   * user can read: the originals may live in a private home directory.
   */
  private static Path copyClasspath(Path into) throws IOException {
    Files.createDirectories(into);
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      String name = path.getFileName().toString();
      if (entry.isEmpty() || !Files.exists(path) || name.equals("test-classes") || name.startsWith("junit-")
          || name.startsWith("opentest4j") || name.startsWith("apiguardian")) {
        continue;
      }
      Path copy = into.resolve(String.format("%03d-%s", n++, name));
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          for (Path p : walk.toList()) {
            Path to = copy.resolve(path.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(to);
            } else {
              Files.copy(p, to);
            }
          }
        }
      } else {
        Files.copy(path, copy);
      }
    }
    makeWorldWritable(into);
    return into;
  }

  private static String classpathOf(Path copied) throws IOException {
    try (Stream<Path> entries = Files.list(copied)) {
      return String.join(File.pathSeparator, entries.sorted().map(Path::toString).toList());
    }
  }

  private static void makeWorldWritable(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxrwxrwx" : "rw-rw-rw-"));
      }
    }
  }

  private Outcome runProcess(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(temp, "out", ".txt");
    Path err = Files.createTempFile(temp, "err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().keySet().removeIf(name -> name.startsWith("BAKARE_") || name.startsWith("JAVA_TOOL"));
    Process process = builder.start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
