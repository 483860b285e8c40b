package dev.bakare.cli;

import dev.bakare.FileError;
import dev.bakare.KeyException;
import dev.bakare.PassphraseRequiredException;
import dev.bakare.Repository;
import dev.bakare.RepositoryOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code bakare} command itself: the options every subcommand accepts (before or after its name, as
 * restic users type them), the process's streams and environment, and opening the repository they name.
 * Subcommands get this object and share it.
 */
@Command(
    name = "bakare",
    mixinStandardHelpOptions = true,
    description = "Deduplicated, compressed, encrypted backups.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:failure; the reason is on stderr, in one line starting with 'bakare: '",
        "2:usage error: the command line is wrong",
        "3:backup saved, but some files could not be read (they are listed on stderr)"},
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  BAKARE_REPO            repository location, when -r is not given",
        "  BAKARE_KEY             key file, when --key is not given",
        "  BAKARE_PASSPHRASE      passphrase of the key file, without --passphrase-file",
        "  BAKARE_NEW_PASSPHRASE  passphrase for the key that 'key export-write' writes",
        "  BAKARE_JAVA_OPTS       JVM options for the ./bakare launcher, such as -Xmx2g"})
final class Cli implements Callable<Integer> {
  static final String ENV_REPO = "BAKARE_REPO";
  static final String ENV_KEY = "BAKARE_KEY";
  static final String ENV_PASSPHRASE = "BAKARE_PASSPHRASE";
  static final String ENV_NEW_PASSPHRASE = "BAKARE_NEW_PASSPHRASE";
  /** How commands that take a snapshot describe the parameter. */
  static final String SNAPSHOT_DESCRIPTION = "snapshot: 'latest', or 4 or more hex digits of its id";

  @Option(names = {"-r", "--repo"}, paramLabel = "LOCATION", scope = ScopeType.INHERIT,
      description = "repository: a path, file:///path or s3://bucket/prefix (default: $BAKARE_REPO)")
  private @Nullable String repo;

  @Option(names = "--key", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "key file (default: $BAKARE_KEY, else the one init wrote into the config directory);"
          + " for init, where to write it")
  private @Nullable Path key;

  @Option(names = "--passphrase-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "read the key file's passphrase from the first line of FILE (default: $BAKARE_PASSPHRASE,"
          + " else asked for at a terminal); for init, protect the new key file with it")
  private @Nullable Path passphraseFile;

  @Option(names = "-o", paramLabel = "KEY=VALUE", scope = ScopeType.INHERIT,
      description = "storage option, such as -o s3.region=eu-west-1; repeatable")
  private Map<String, String> storageOptions = new LinkedHashMap<>();

  @Option(names = "--config-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "where init writes key files and where they are looked for"
          + " (default: $XDG_CONFIG_HOME/bakare, else ~/.config/bakare)")
  private @Nullable Path configDir;

  @Option(names = "--memory-limit", paramLabel = "SIZE", scope = ScopeType.INHERIT,
      description = "bound on the memory buffers of a backup take, such as 256M (default 512M); the JVM's heap"
          + " (-Xmx in BAKARE_JAVA_OPTS) should be larger")
  private @Nullable String memoryLimit;

  @Option(names = "--threads", paramLabel = "N", scope = ScopeType.INHERIT,
      description = "worker threads for reading, compressing and encrypting (default: one per processor)")
  private @Nullable Integer threads;

  @Option(names = "--compression-level", paramLabel = "N", scope = ScopeType.INHERIT,
      description = "zstd level for new data, 1 (fastest) to 19 (smallest); default 3")
  private @Nullable Integer compressionLevel;

  @Option(names = "--cache-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "where local working files and caches go; nothing there is needed to restore"
          + " (default: $XDG_CACHE_HOME/bakare, else ~/.cache/bakare)")
  private @Nullable Path cacheDir;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "print machine-readable JSON on stdout")
  private boolean json;

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "print stack traces of errors")
  private boolean debug;

  @Spec
  private @Nullable CommandSpec spec;

  final PrintStream out;
  final PrintStream err;
  private final Map<String, String> env;
  private final Terminal terminal;

  Cli(PrintStream out, PrintStream err, Map<String, String> env, Terminal terminal) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
    this.terminal = terminal;
  }

  /** {@code bakare} without a command: show what the commands are. */
  @Override
  public Integer call() {
    if (spec != null) {
      spec.commandLine().usage(err);
    }
    return Main.USAGE;
  }

  boolean json() {
    return json;
  }

  boolean debug() {
    return debug;
  }

  /** Whether to draw progress lines: only for a person watching. */
  boolean showProgress() {
    return terminal.isInteractive();
  }

  /** A variable of the environment the CLI was given, null when unset or empty. */
  private @Nullable String env(String name) {
    String value = env.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /** Options for the repository the command line names, without a passphrase. */
  RepositoryOptions.Builder options() throws CliException {
    String location = repo != null ? repo : env(ENV_REPO);
    if (location == null) {
      throw CliException.usage("no repository given: pass -r LOCATION or set " + ENV_REPO);
    }
    String keyFromEnv = env(ENV_KEY);
    Path keyFile = key != null ? key : keyFromEnv != null ? Path.of(keyFromEnv) : null;
    RepositoryOptions.Builder builder = RepositoryOptions.builder()
        .location(location)
        .storageOptions(storageOptions)
        .keyFile(keyFile)
        .configDirectory(configDirectory())
        .cacheDirectory(cacheDirectory());
    try {
      if (memoryLimit != null) {
        builder.memoryLimit(Format.parseLongSize(memoryLimit, "--memory-limit"));
      }
      if (threads != null) {
        builder.threads(threads);
      }
      if (compressionLevel != null) {
        builder.compressionLevel(compressionLevel);
      }
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    return builder;
  }

  /** The cache directory, from the option or the environment this CLI was given. */
  private @Nullable Path cacheDirectory() {
    if (cacheDir != null) {
      return cacheDir;
    }
    String xdg = env("XDG_CACHE_HOME");
    return xdg != null ? Path.of(xdg, "bakare") : null;
  }

  /**
   * The directory for default key files. Resolved here rather than left to the engine so that the
   * environment this CLI was given ({@code XDG_CONFIG_HOME}) is the one that counts.
   */
  private @Nullable Path configDirectory() {
    if (configDir != null) {
      return configDir;
    }
    String xdg = env("XDG_CONFIG_HOME");
    return xdg != null ? Path.of(xdg, "bakare") : null;
  }

  /** The passphrase from {@code --passphrase-file} or {@code $BAKARE_PASSPHRASE}; null if neither is given. */
  char @Nullable [] passphrase() throws IOException, CliException {
    return secret(passphraseFile, ENV_PASSPHRASE);
  }

  /** A secret from the first line of {@code file}, else from the environment variable; null if neither. */
  char @Nullable [] secret(@Nullable Path file, String variable) throws IOException, CliException {
    if (file != null) {
      return firstLine(file);
    }
    String value = env(variable);
    return value == null ? null : value.toCharArray();
  }

  private static char[] firstLine(Path file) throws IOException, CliException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw CliException.failure("cannot read the passphrase file " + Errors.describe(e));
    }
    CharBuffer chars;
    try {
      chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw CliException.failure("passphrase file " + file + " is not UTF-8 text: write the passphrase as text");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    int end = 0;
    while (end < chars.length() && chars.get(end) != '\n') {
      end++;
    }
    int length = end > 0 && chars.get(end - 1) == '\r' ? end - 1 : end;
    char[] line = new char[length];
    chars.get(line);
    if (chars.hasArray()) {
      Arrays.fill(chars.array(), '\0');
    }
    if (length == 0) {
      throw CliException.failure("passphrase file " + file + " has an empty first line: write the passphrase on it");
    }
    return line;
  }

  /**
   * Opens the repository. A key file that turns out to need a passphrase nobody gave is unlocked by asking
   * the person at the terminal, if there is one.
   */
  Repository open() throws IOException, CliException {
    return open(options -> { });
  }

  /** Opens the repository with options the command adds (such as a backup's heartbeat). */
  Repository open(java.util.function.Consumer<RepositoryOptions.Builder> customize) throws IOException, CliException {
    RepositoryOptions.Builder options = options();
    customize.accept(options);
    char[] passphrase = passphrase();
    try {
      options.passphrase(passphrase);
      return Repository.open(options.build());
    } catch (KeyException e) {
      if (passphrase != null || !terminal.isInteractive() || !needsPassphrase(e)) {
        throw e;
      }
      char[] typed = terminal.readPassword("Passphrase for the repository key: ");
      if (typed == null) {
        throw e;
      }
      try {
        options.passphrase(typed);
        return Repository.open(options.build());
      } finally {
        Arrays.fill(typed, '\0');
      }
    } finally {
      wipe(passphrase);
    }
  }

  private static boolean needsPassphrase(KeyException e) {
    return e instanceof PassphraseRequiredException;
  }

  static void wipe(char @Nullable [] secret) {
    if (secret != null) {
      Arrays.fill(secret, '\0');
    }
  }

  /** Lists per-file errors on stderr, one per line. */
  void printErrors(List<FileError> errors) {
    for (FileError error : errors) {
      err.println(Format.error(error));
    }
  }
}
