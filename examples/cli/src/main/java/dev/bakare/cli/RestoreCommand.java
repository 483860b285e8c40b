package dev.bakare.cli;

import dev.bakare.Overwrite;
import dev.bakare.Repository;
import dev.bakare.RestoreRequest;
import dev.bakare.RestoreResult;
import dev.bakare.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
        "Restores a snapshot into a directory. Entries keep their absolute paths below it:"
            + " /home/me/a.txt is restored to DIR/home/me/a.txt.",
        "Entries that cannot be restored are listed on stderr and the exit code is 1; the others are restored."})
final class RestoreCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(paramLabel = "SNAPSHOT", description = Cli.SNAPSHOT_DESCRIPTION)
  private String snapshot = "";

  @Option(names = {"-t", "--target"}, paramLabel = "DIR", required = true,
      description = "directory to restore into; created if missing")
  private Path target = Path.of("");

  @Option(names = {"-i", "--include"}, paramLabel = "PATH",
      description = "restore only this absolute path inside the snapshot, with everything below it; repeatable")
  private List<String> includes = new ArrayList<>();

  @Option(names = "--overwrite", paramLabel = "POLICY", defaultValue = "never",
      description = "where a file exists already: never (fail before writing anything; the default),"
          + " if-changed (replace it if its size or time differ) or always")
  private String overwrite = "never";

  RestoreCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    Overwrite policy = overwritePolicy(overwrite);
    Snapshot found;
    RestoreResult result;
    try (Repository repository = cli.open();
        ProgressLine progress = new ProgressLine(cli.err, cli.showProgress(), ProgressLine.Kind.RESTORE, false)) {
      found = repository.snapshot(snapshot);
      result = repository.restore(RestoreRequest.builder(found.id(), target)
          .includes(includes).overwrite(policy).listener(progress).build());
    }
    Path where = target.toAbsolutePath().normalize();
    if (cli.json()) {
      cli.out.println(Json.object()
          .put("snapshot_id", found.id().hex())
          .put("target", where.toString())
          .put("files", result.files())
          .put("directories", result.directories())
          .put("symlinks", result.symlinks())
          .put("bytes", result.bytes())
          .put("complete", result.isComplete())
          .put("errors", JsonViews.errors(result.errors())));
    } else {
      cli.out.println("restored snapshot " + found.id().shortId() + " to " + where + ": "
          + Format.count(result.files(), "file", "files") + ", "
          + Format.count(result.directories(), "directory", "directories") + ", "
          + Format.count(result.symlinks(), "symlink", "symlinks") + ", " + Format.size(result.bytes()));
    }
    if (!result.isComplete()) {
      cli.printErrors(result.errors());
      throw CliException.failure(Format.count(result.errors().size(), "entry", "entries")
          + " of snapshot " + found.id().shortId() + " could not be restored (listed above)");
    }
    return Main.SUCCESS;
  }

  static Overwrite overwritePolicy(String text) throws CliException {
    String name = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Overwrite candidate : Overwrite.values()) {
      if (candidate.name().equals(name)) {
        return candidate;
      }
    }
    throw CliException.usage("--overwrite '" + text + "' is not a policy: give never, if-changed or always");
  }
}
