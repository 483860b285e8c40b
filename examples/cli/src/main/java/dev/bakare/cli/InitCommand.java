package dev.bakare.cli;

import dev.bakare.Repository;
import dev.bakare.RepositoryInfo;
import dev.bakare.RepositoryOptions;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
        "Creates a repository and its full key file.",
        "The key file goes to --key FILE, else into the config directory. Given a passphrase"
            + " (--passphrase-file or $BAKARE_PASSPHRASE), the key file is protected by it and a protected"
            + " copy is also stored in the repository."})
final class InitCommand implements Callable<Integer> {
  private final Cli cli;

  InitCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    RepositoryOptions.Builder options = cli.options();
    char[] passphrase = cli.passphrase();
    boolean protectedKey = passphrase != null;
    options.passphrase(passphrase);
    Cli.wipe(passphrase);
    try (Repository repository = Repository.init(options.build())) {
      RepositoryInfo info = repository.info();
      if (cli.json()) {
        cli.out.println(Json.object()
            .put("repository_id", info.id())
            .put("location", info.location())
            .put("key_file", info.keyFile().toAbsolutePath().toString())
            .put("passphrase_protected", protectedKey));
      } else {
        cli.out.println("created repository " + info.id() + " at " + info.location());
        cli.out.println("key file: " + info.keyFile().toAbsolutePath()
            + (protectedKey ? " (protected by the passphrase; a protected copy is in the repository too)" : ""));
      }
      cli.err.println(protectedKey
          ? "warning: keep a copy of the key file and the passphrase somewhere safe: without them no backup can be read"
          : "warning: keep a copy of the key file somewhere safe: without it no backup can be read");
    }
    return Main.SUCCESS;
  }
}
