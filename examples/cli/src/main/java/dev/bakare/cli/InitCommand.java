package dev.bakare.cli;

import dev.bakare.Repository;
import dev.bakare.RepositoryInfo;
import dev.bakare.RepositoryOptions;
import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.chunking.Chunkers;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

  @Option(names = "--chunk-sizes", paramLabel = "MIN,AVG,MAX",
      description = "chunk size bounds, such as 256K,1M,4M (the default); the average must be a power of two."
          + " Smaller chunks dedup finer and cost more index")
  private @Nullable String chunkSizes;

  @Option(names = "--pack-size", paramLabel = "SIZE", description = "target pack size, such as 16M (the default)")
  private @Nullable String packSize;

  InitCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    RepositoryOptions.Builder options = cli.options();
    if (chunkSizes != null) {
      String[] parts = chunkSizes.split(",", -1);
      if (parts.length != 3) {
        throw CliException.usage("--chunk-sizes takes MIN,AVG,MAX, such as 256K,1M,4M; got " + chunkSizes);
      }
      try {
        ChunkerParameters parameters = new ChunkerParameters(
            Format.parseSize(parts[0], "--chunk-sizes"), Format.parseSize(parts[1], "--chunk-sizes"),
            Format.parseSize(parts[2], "--chunk-sizes"));
        // The chunker judges its own parameters (FastCDC wants a power-of-two average).
        Chunkers.factory(Chunkers.DEFAULT).create(parameters, new byte[32]);
        options.chunkerParameters(parameters);
      } catch (IllegalArgumentException e) {
        throw CliException.usage("--chunk-sizes " + chunkSizes + ": " + e.getMessage());
      }
    }
    if (packSize != null) {
      try {
        options.packSize(Format.parseSize(packSize, "--pack-size"));
      } catch (IllegalArgumentException e) {
        throw CliException.usage("--pack-size " + packSize + ": " + e.getMessage());
      }
    }
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
