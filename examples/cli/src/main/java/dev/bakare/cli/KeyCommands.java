package dev.bakare.cli;

import dev.bakare.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bakare key ...}: key files. */
@Command(name = "key", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
    description = "Manages key files.")
final class KeyCommands {
  @Command(
      name = "export-write",
      mixinStandardHelpOptions = true,
      description = {
          "Writes a write key for the repository (mode 0600; an existing file is never replaced).",
          "A host holding only the write key can back up, deduplicating against everything stored, but cannot"
              + " list, read, restore or delete anything: give it to machines that must not see each other's data."})
  static final class ExportWrite implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "where to write the write key")
    private Path out = Path.of("");

    @Option(names = "--new-passphrase-file", paramLabel = "FILE",
        description = "protect the write key with the passphrase on the first line of FILE"
            + " (default: $BAKARE_NEW_PASSPHRASE, else unprotected)")
    private @Nullable Path newPassphraseFile;

    ExportWrite(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws IOException, CliException {
      char[] passphrase = cli.secret(newPassphraseFile, Cli.ENV_NEW_PASSPHRASE);
      Path written;
      try (Repository repository = cli.open()) {
        written = repository.exportWriteKey(out, passphrase);
      } finally {
        Cli.wipe(passphrase);
      }
      Path where = written.toAbsolutePath();
      if (cli.json()) {
        cli.out.println(Json.object().put("key_file", where.toString()).put("passphrase_protected", passphrase != null));
      } else {
        cli.out.println("wrote a write key to " + where + (passphrase != null ? " (protected by the new passphrase)" : ""));
        cli.out.println("it can back up into the repository but cannot list, read or restore anything");
      }
      return Main.SUCCESS;
    }
  }
}
