package dev.bakare.cli;

import dev.bakare.FileEntry;
import dev.bakare.FileType;
import dev.bakare.Repository;
import dev.bakare.Snapshot;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
        "Lists the entries of a snapshot, one per line like 'ls -l': mode, user, group, size in bytes,"
            + " modification time (local), path.",
        "With --json, one JSON object per line."})
final class LsCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(index = "0", paramLabel = "SNAPSHOT", description = Cli.SNAPSHOT_DESCRIPTION)
  private String snapshot = "";

  @Parameters(index = "1", arity = "0..1", paramLabel = "PATH",
      description = "absolute path inside the snapshot to list at and below (default: everything)")
  private String path = "/";

  LsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    long[] count = {0};
    Snapshot found;
    try (Repository repository = cli.open()) {
      found = repository.snapshot(snapshot);
      repository.list(found.id(), path, entry -> {
        count[0]++;
        cli.out.println(cli.json() ? JsonViews.entry(entry).toString() : line(entry));
      });
    }
    if (count[0] == 0 && !path.equals("/")) {
      throw CliException.failure("snapshot " + found.id().shortId() + " has no entry " + path
          + ": give an absolute path as 'bakare ls " + found.id().shortId() + "' shows it");
    }
    return Main.SUCCESS;
  }

  private static String line(FileEntry e) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s  %-8s %-8s %12d  %s  %s",
        Format.mode(e.type(), e.mode()), e.user(), e.group(), e.size(), Format.localTime(e.mtime()), e.path()));
    if (e.type() == FileType.SYMLINK) {
      line.append(" -> ").append(e.linkTarget());
    }
    if (!e.error().isEmpty()) {
      line.append("  [error: ").append(e.error()).append(']');
    }
    return line.toString();
  }
}
