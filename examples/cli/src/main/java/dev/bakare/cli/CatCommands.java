package dev.bakare.cli;

import dev.bakare.Repository;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bakare cat ...}: repository objects as stored. */
@Command(name = "cat", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "OBJECT",
    description = "Prints a repository object.")
final class CatCommands {
  @Command(name = "config", mixinStandardHelpOptions = true,
      description = "Prints the repository config (it holds no secret) as stored.")
  static final class Config implements Callable<Integer> {
    private final Cli cli;

    Config(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws IOException, CliException {
      String text;
      try (Repository repository = cli.open()) {
        text = repository.info().configText();
      }
      cli.out.print(text.endsWith("\n") ? text : text + "\n");
      return Main.SUCCESS;
    }
  }
}
