package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init, backup, snapshots, ls, restore and cat through {@link Main#run}, as a user types them. */
class RoundTripTest {
  private static final Pattern SAVED = Pattern.compile("snapshot ([0-9a-f]{8}) saved");

  @TempDir Path temp;
  private CliRunner cli;
  private Path repo;
  private Path source;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliRunner(temp.resolve("config"));
    repo = temp.resolve("repo");
    source = temp.resolve("source dir");
    Files.createDirectories(source.resolve("sub/deeper"));
    Files.writeString(source.resolve("a.txt"), "hello, bakare\n");
    Files.writeString(source.resolve("sub/b.txt"), "second file\n");
    Files.write(source.resolve("sub/deeper/random.bin"), randomBytes(3 << 20, 7));
    Files.createSymbolicLink(source.resolve("link"), Path.of("sub/b.txt"));
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private String backup(Object... extra) {
    Object[] args = new Object[extra.length + 4];
    args[0] = "-r";
    args[1] = repo;
    args[2] = "backup";
    System.arraycopy(extra, 0, args, 3, extra.length);
    args[args.length - 1] = source;
    CliRunner.Result result = cli.run(args).assertSuccess();
    Matcher m = SAVED.matcher(result.out());
    assertTrue(m.find(), result.out());
    return m.group(1);
  }

  @Test
  void initBackupListAndRestoreRoundTrip() throws IOException {
    CliRunner.Result init = cli.run("-r", repo, "init").assertSuccess();
    Matcher id = Pattern.compile("created repository ([0-9a-f]{32}) at ").matcher(init.out());
    assertTrue(id.find(), init.out());
    Path keyFile = cli.configDir.resolve("keys").resolve(id.group(1) + ".key");
    assertTrue(init.out().contains("key file: " + keyFile.toAbsolutePath()), init.out());
    assertTrue(Files.isRegularFile(keyFile), "init wrote the key where it said");
    assertTrue(init.err().startsWith("warning: keep a copy of the key file"), init.err());
    assertEquals(1, init.err().strip().lines().count(), "the warning is one line");

    // Options after the command name work as well as before it.
    CliRunner.Result backup = cli.run("backup", source, "--tag", "first,daily", "--host", "testhost", "-r", repo)
        .assertSuccess();
    Matcher saved = SAVED.matcher(backup.out());
    assertTrue(saved.find(), backup.out());
    String shortId = saved.group(1);
    assertTrue(backup.out().contains("files:        3"), backup.out());
    assertTrue(backup.out().contains("directories:  "), backup.out());
    assertTrue(backup.out().contains("total size:   3.0 MiB"), backup.out());
    assertTrue(backup.out().contains("new data:     3.0 MiB"), backup.out());
    assertTrue(backup.out().contains("stored size:  "), backup.out());
    assertTrue(backup.out().contains("duration:     "), backup.out());
    assertEquals("", backup.err(), "no progress line without a terminal");

    CliRunner.Result snapshots = cli.run("-r", repo, "snapshots").assertSuccess();
    String table = snapshots.out();
    assertTrue(table.startsWith("ID "), table);
    assertTrue(table.contains(shortId) && table.contains("testhost") && table.contains("first,daily")
        && table.contains(source.toString()), table);
    assertTrue(table.strip().endsWith("1 snapshot"), table);

    List<String> ls = cli.run("-r", repo, "ls", shortId).assertSuccess().out().lines().toList();
    assertTrue(ls.stream().anyMatch(l -> l.startsWith("-rw-") && l.endsWith(" " + source.resolve("a.txt"))), ls.toString());
    assertTrue(ls.stream().anyMatch(l -> l.startsWith("d") && l.endsWith(" " + source.resolve("sub"))), ls.toString());
    assertTrue(ls.stream().anyMatch(l -> l.startsWith("l") && l.endsWith(source.resolve("link") + " -> sub/b.txt")),
        ls.toString());
    assertTrue(ls.stream().anyMatch(l -> l.contains(" " + (3 << 20) + "  ") && l.endsWith("random.bin")), ls.toString());

    List<String> sub = cli.run("-r", repo, "ls", "latest", source.resolve("sub")).assertSuccess().out().lines().toList();
    assertEquals(4, sub.size(), "sub, b.txt, deeper, random.bin: " + sub);
    assertTrue(sub.stream().allMatch(l -> l.contains(source.resolve("sub").toString())), sub.toString());

    Path target = temp.resolve("restored");
    CliRunner.Result restore = cli.run("-r", repo, "restore", shortId, "--target", target).assertSuccess();
    assertTrue(restore.out().contains("restored snapshot " + shortId + " to " + target + ": 3 files"), restore.out());
    assertEquals(CliRunner.files(source).keySet(), CliRunner.files(CliRunner.restored(target, source)).keySet());
    CliRunner.files(source).forEach((name, bytes) ->
        assertArrayEquals(bytes, readUnchecked(CliRunner.restored(target, source).resolve(name)), name));
    assertEquals(Path.of("sub/b.txt"), Files.readSymbolicLink(CliRunner.restored(target, source).resolve("link")));

    // The default policy refuses to overwrite, in one line, and writes nothing; 'always' replaces.
    Files.writeString(CliRunner.restored(target, source).resolve("a.txt"), "changed");
    cli.run("-r", repo, "restore", shortId, "--target", target).assertOneLineError(1, "overwrite");
    assertEquals("changed", Files.readString(CliRunner.restored(target, source).resolve("a.txt")));
    cli.run("-r", repo, "restore", shortId, "--target", target, "--overwrite", "always").assertSuccess();
    assertEquals("hello, bakare\n", Files.readString(CliRunner.restored(target, source).resolve("a.txt")));
    cli.run("-r", repo, "restore", shortId, "--target", target, "--overwrite", "if-changed").assertSuccess();

    Path partialTarget = temp.resolve("only sub");
    cli.run("-r", repo, "restore", "latest", "-t", partialTarget, "--include", source.resolve("sub")).assertSuccess();
    assertEquals(List.of("sub/b.txt", "sub/deeper/random.bin"),
        CliRunner.files(CliRunner.restored(partialTarget, source)).keySet().stream().sorted().toList());
  }

  private static byte[] readUnchecked(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new AssertionError("cannot read restored " + path, e);
    }
  }

  @Test
  void latestIsTheNewestSnapshotAndOlderOnesStayRestorable() throws IOException {
    cli.env.put(Cli.ENV_REPO, repo.toString());
    cli.run("init").assertSuccess();
    String first = backup();
    Files.writeString(source.resolve("a.txt"), "version two\n");
    String second = backup();
    assertFalse(first.equals(second));

    CliRunner.Result secondBackup = cli.run("-r", repo, "--json", "snapshots").assertSuccess();
    List<?> all = (List<?>) JsonParser.parse(secondBackup.out());
    assertEquals(2, all.size());

    Path latest = temp.resolve("latest");
    cli.run("restore", "latest", "--target", latest).assertSuccess();
    assertEquals("version two\n", Files.readString(CliRunner.restored(latest, source).resolve("a.txt")));
    Path old = temp.resolve("old");
    cli.run("restore", first, "--target", old).assertSuccess();
    assertEquals("hello, bakare\n", Files.readString(CliRunner.restored(old, source).resolve("a.txt")));
  }

  @Test
  void jsonOutputsParse() throws IOException {
    Map<String, Object> init = JsonParser.object(cli.run("--json", "-r", repo, "init").assertSuccess().out());
    assertTrue(((String) init.get("repository_id")).matches("[0-9a-f]{32}"), init.toString());
    assertTrue(Files.isRegularFile(Path.of((String) init.get("key_file"))), init.toString());
    assertEquals(false, init.get("passphrase_protected"));

    Map<String, Object> backup = JsonParser.object(
        cli.run("-r", repo, "backup", "--json", "--tag", "t\"quoted", source).assertSuccess().out());
    String id = (String) backup.get("id");
    assertTrue(id.matches("[0-9a-f]{64}"), backup.toString());
    assertEquals(id.substring(0, 8), backup.get("short_id"));
    assertEquals(3L, backup.get("files"));
    assertEquals((long) (3 << 20) + 26, backup.get("total_bytes"));
    assertEquals(false, backup.get("partial"));
    assertEquals(List.of("t\"quoted"), backup.get("tags"));
    assertEquals(List.of(source.toString()), backup.get("paths"));
    assertEquals(List.of(), backup.get("errors"));
    assertTrue(backup.get("duration_seconds") instanceof Double, backup.toString());

    List<?> snapshots = (List<?>) JsonParser.parse(cli.run("-r", repo, "snapshots", "--json").assertSuccess().out());
    assertEquals(1, snapshots.size());
    assertEquals(id, ((Map<?, ?>) snapshots.get(0)).get("id"));

    List<String> lines = cli.run("-r", repo, "ls", "--json", "latest").assertSuccess().out().lines().toList();
    List<Map<String, Object>> entries = lines.stream().map(JsonParser::object).toList();
    Map<String, Object> a = entries.stream()
        .filter(e -> e.get("path").equals(source.resolve("a.txt").toString())).findFirst().orElseThrow();
    assertEquals("file", a.get("type"));
    assertEquals(14L, a.get("size"));
    assertTrue(((String) a.get("mode")).matches("0[0-7]{3}"), a.toString());
    Map<String, Object> link = entries.stream()
        .filter(e -> e.get("path").equals(source.resolve("link").toString())).findFirst().orElseThrow();
    assertEquals("symlink", link.get("type"));
    assertEquals("sub/b.txt", link.get("link_target"));

    Map<String, Object> restore = JsonParser.object(
        cli.run("-r", repo, "restore", "--json", "latest", "--target", temp.resolve("t")).assertSuccess().out());
    assertEquals(id, restore.get("snapshot_id"));
    assertEquals(3L, restore.get("files"));
    assertEquals(true, restore.get("complete"));
    assertEquals(List.of(), restore.get("errors"));
  }

  @Test
  void catConfigPrintsTheStoredConfig() {
    Map<String, Object> init = JsonParser.object(cli.run("--json", "-r", repo, "init").assertSuccess().out());
    String config = cli.run("-r", repo, "cat", "config").assertSuccess().out();
    assertTrue(config.contains("id: " + init.get("repository_id")), config);
    assertTrue(config.contains("bakare-repository: "), config);
    assertTrue(config.endsWith("\n"), config);
  }

  @Test
  void progressLineOnlyForAPersonAtATerminal() {
    cli.run("-r", repo, "init").assertSuccess();
    cli.terminal = CliRunner.person("unused", new AtomicInteger());
    CliRunner.Result result = cli.run("-r", repo, "backup", source).assertSuccess();
    assertTrue(result.err().contains("\r3 files, 3.0 MiB read, 3.0 MiB new"), result.err());
    assertTrue(result.err().endsWith("\r"), "the line is wiped before the summary: " + result.err());
    assertFalse(result.out().contains("\r"), "stdout carries no progress");
  }

  @Test
  void nonAsciiNamesSurviveTheJsonAndTheRestore() throws IOException {
    Path odd = source.resolve("naïve \"quoted\"\ttab.txt");
    Files.write(odd, "ü".getBytes(StandardCharsets.UTF_8));
    cli.run("-r", repo, "init").assertSuccess();
    backup();
    List<String> lines = cli.run("-r", repo, "ls", "--json", "latest", odd).assertSuccess().out().lines().toList();
    assertEquals(1, lines.size(), lines.toString());
    assertEquals(odd.toString(), JsonParser.object(lines.get(0)).get("path"));
    Path target = temp.resolve("t");
    cli.run("-r", repo, "restore", "latest", "--target", target, "--include", odd).assertSuccess();
    assertEquals("ü", Files.readString(CliRunner.restored(target, odd)));
  }
}
