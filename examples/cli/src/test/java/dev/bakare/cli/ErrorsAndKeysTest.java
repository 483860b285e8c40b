package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one actionable line and the documented exit code; keys and passphrases work as documented. */
class ErrorsAndKeysTest {
  @TempDir Path temp;
  private CliRunner cli;
  private Path repo;
  private Path source;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliRunner(temp.resolve("config"));
    repo = temp.resolve("repo");
    source = temp.resolve("source");
    Files.createDirectories(source);
    Files.writeString(source.resolve("a.txt"), "some content\n");
  }

  private String init(Path location) {
    return (String) JsonParser.object(cli.run("--json", "-r", location, "init").assertSuccess().out()).get("key_file");
  }

  @Test
  void missingRepository() {
    cli.run("-r", temp.resolve("nowhere"), "snapshots").assertOneLineError(1, temp.resolve("nowhere").toString());
  }

  @Test
  void notARepository() throws IOException {
    Path other = Files.createDirectories(temp.resolve("other"));
    Files.writeString(other.resolve("notes.txt"), "not a repository");
    cli.run("-r", other, "snapshots").assertOneLineError(1, "no bakare repository");
    cli.run("-r", other, "init").assertOneLineError(1, "not empty");
  }

  @Test
  void malformedLocations() {
    cli.run("-r", "foo://", "snapshots").assertOneLineError(1, "malformed repository location 'foo://'");
    cli.run("-r", "foo://bar", "snapshots").assertOneLineError(1, "no storage provider for scheme 'foo'");
    // Without a colon this is a relative path, which does not exist.
    cli.run("-r", "s3//x", "snapshots").assertOneLineError(1, "s3/x");
  }

  @Test
  void unknownAndMalformedSnapshotIds() {
    init(repo);
    cli.run("-r", repo, "backup", source).assertSuccess();
    cli.run("-r", repo, "ls", "0000").assertOneLineError(1, "no snapshot matches '0000'");
    cli.run("-r", repo, "restore", "not-an-id", "-t", temp.resolve("t")).assertOneLineError(1, "is not a snapshot id");
    cli.run("-r", repo, "ls", "latest", "/no/such/path").assertOneLineError(1, "has no entry /no/such/path");
  }

  @Test
  void latestOfAnEmptyRepository() {
    init(repo);
    cli.run("-r", repo, "ls", "latest").assertOneLineError(1, "no snapshots yet");
    assertEquals("no snapshots yet\n", cli.run("-r", repo, "snapshots").assertSuccess().out());
    assertEquals("[]\n", cli.run("-r", repo, "snapshots", "--json").assertSuccess().out());
  }

  @Test
  void wrongAndMissingKeyFiles() {
    init(repo);
    Path otherRepo = temp.resolve("other repo");
    String otherKey = init(otherRepo);
    cli.run("-r", repo, "--key", otherKey, "snapshots").assertOneLineError(1, "belongs to repository");
    cli.env.put(Cli.ENV_KEY, temp.resolve("missing.key").toString());
    cli.run("-r", repo, "snapshots").assertOneLineError(1, "does not exist");
    cli.env.remove(Cli.ENV_KEY);
    CliRunner fresh = new CliRunner(temp.resolve("empty config"));
    fresh.run("-r", repo, "snapshots").assertOneLineError(1, "no key for repository");
  }

  @Test
  void debugShowsTheStackTrace() {
    CliRunner.Result result = cli.run("--debug", "-r", temp.resolve("nowhere"), "snapshots");
    assertEquals(1, result.code());
    assertTrue(result.err().startsWith("bakare: "), result.err());
    assertTrue(result.err().contains("\tat "), result.err());
  }

  @Test
  void usageErrorsExitWith2() {
    cli.run("-r", repo, "backup").assertOneLineError(2, "PATH");
    cli.run("-r", repo, "restore", "latest").assertOneLineError(2, "--target");
    cli.run("-r", repo, "restore", "latest", "-t", temp, "--overwrite", "sometimes")
        .assertOneLineError(2, "never, if-changed or always");
    cli.run("snapshot").assertOneLineError(2, "did you mean snapshots");
    cli.run("snapshots").assertOneLineError(2, "pass -r LOCATION or set BAKARE_REPO");
    cli.run("-o", "novalue", "-r", repo, "snapshots").assertOneLineError(2, "KEY=VALUE");
    // An option's value that is a command's name is the option's value, not the command to run.
    cli.run("-o", "backup", "-r", repo, "snapshots").assertOneLineError(2, "KEY=VALUE");
    cli.run("key").assertOneLineError(2, "bakare key --help");
    cli.run("-r", repo, "backup", "--checkpoint-chunks", "0", temp).assertOneLineError(2, "--checkpoint-chunks");
    CliRunner.Result bare = cli.run();
    assertEquals(2, bare.code());
    assertTrue(bare.err().contains("Commands:"), "bare 'bakare' lists the commands: " + bare.err());
  }

  @Test
  void helpAndVersion() {
    CliRunner.Result help = cli.run("--help").assertSuccess();
    for (String command : List.of("init", "backup", "snapshots", "ls", "find", "restore", "check", "forget", "prune",
        "key", "cat", "repair")) {
      assertTrue(help.out().contains("\n  " + command + " "), command + " in " + help.out());
    }
    assertTrue(help.out().contains("Exit codes:") && help.out().contains("3   backup saved"), help.out());
    assertTrue(cli.run("restore", "--help").assertSuccess().out().contains("--overwrite"));
    assertTrue(cli.run("--threads", "2", "-r=" + repo, "repair", "index", "--help").assertSuccess().out()
        .contains("--lease"));
    assertTrue(cli.run("--version").assertSuccess().out().matches("bakare \\d+\\.\\d+\\.\\d+.*\\n"));
  }

  @Test
  void passphraseProtectedKey() throws IOException {
    cli.env.put(Cli.ENV_PASSPHRASE, "correct horse");
    CliRunner.Result init = cli.run("-r", repo, "init").assertSuccess();
    assertTrue(init.out().contains("protected by the passphrase"), init.out());
    cli.env.remove(Cli.ENV_PASSPHRASE);

    cli.run("-r", repo, "snapshots").assertOneLineError(1, "protected by a passphrase");
    cli.env.put(Cli.ENV_PASSPHRASE, "wrong horse");
    cli.run("-r", repo, "snapshots").assertOneLineError(1, "wrong passphrase");
    cli.env.remove(Cli.ENV_PASSPHRASE);

    Path file = temp.resolve("passphrase");
    Files.writeString(file, "correct horse\r\nsecond line is ignored\n");
    cli.run("-r", repo, "--passphrase-file", file, "backup", source).assertSuccess();
    Files.writeString(file, "\n");
    cli.run("-r", repo, "--passphrase-file", file, "snapshots").assertOneLineError(1, "empty first line");
    cli.run("-r", repo, "--passphrase-file", temp.resolve("absent"), "snapshots")
        .assertOneLineError(1, "cannot read the passphrase file");

    AtomicInteger prompts = new AtomicInteger();
    cli.terminal = CliRunner.person("correct horse", prompts);
    CliRunner.Result asked = cli.run("-r", repo, "snapshots").assertSuccess();
    assertEquals(1, prompts.get(), "asked once at the terminal");
    assertTrue(asked.out().contains("1 snapshot"), asked.out());
  }

  @Test
  void writeKeyBacksUpButCannotRead() {
    init(repo);
    Path writeKey = temp.resolve("write.key");
    CliRunner.Result export = cli.run("-r", repo, "key", "export-write", "--out", writeKey).assertSuccess();
    assertTrue(export.out().contains("wrote a write key to " + writeKey), export.out());
    assertTrue(Files.isRegularFile(writeKey));
    cli.run("-r", repo, "key", "export-write", "--out", writeKey).assertOneLineError(1, "already exists");

    cli.run("-r", repo, "--key", writeKey, "backup", source).assertSuccess();
    cli.run("-r", repo, "--key", writeKey, "restore", "latest", "--target", temp.resolve("t"))
        .assertOneLineError(1, "needs the full key");
    cli.run("-r", repo, "--key", writeKey, "ls", "latest").assertOneLineError(1, "needs the full key");
    // The write key still lists snapshots, without their (sealed) paths; the full key restores.
    List<?> listed = (List<?>) JsonParser.parse(
        cli.run("-r", repo, "--key", writeKey, "--json", "snapshots").assertSuccess().out());
    assertEquals(List.of(), ((Map<?, ?>) listed.get(0)).get("paths"));
    String table = cli.run("-r", repo, "--key", writeKey, "snapshots").assertSuccess().out();
    assertTrue(table.contains("(paths need the full key)"), table);
    cli.run("-r", repo, "restore", "latest", "--target", temp.resolve("t")).assertSuccess();
  }

  @Test
  void protectedWriteKey() throws IOException {
    init(repo);
    Path writeKey = temp.resolve("write.key");
    cli.env.put(Cli.ENV_NEW_PASSPHRASE, "for the write key");
    cli.run("-r", repo, "key", "export-write", "--out", writeKey).assertSuccess();
    cli.env.remove(Cli.ENV_NEW_PASSPHRASE);
    cli.run("-r", repo, "--key", writeKey, "backup", source).assertOneLineError(1, "protected by a passphrase");
    cli.env.put(Cli.ENV_PASSPHRASE, "for the write key");
    cli.run("-r", repo, "--key", writeKey, "backup", source).assertSuccess();
  }
}
