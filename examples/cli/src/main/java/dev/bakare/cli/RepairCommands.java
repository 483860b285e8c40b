package dev.bakare.cli;

import dev.bakare.FileError;
import dev.bakare.IndexRepairResult;
import dev.bakare.Repository;
import dev.bakare.SnapshotRepairResult;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bakare repair ...}: putting a damaged repository right. Run {@code check} first. */
@Command(name = "repair", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "WHAT",
    description = {"Repairs what check reported. First 'repair index', then 'repair snapshots'."})
final class RepairCommands {

  @Command(name = "index", mixinStandardHelpOptions = true,
      description = "Writes the index again from the packs' own headers and removes the old index segments,"
          + " damaged ones included. Needs the full key; does not run beside a prune.")
  static final class Index implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--lease", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "how long this repair's claim on maintenance lasts unless renewed; prunes and other repairs"
            + " are refused meanwhile (default: 30m). After a prune or repair crashed, a short lease lets this one"
            + " run at once")
    private @Nullable Duration lease;

    Index(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws IOException, CliException {
      if (lease != null && lease.isZero()) {
        throw CliException.usage("--lease must be longer than 0s");
      }
      IndexRepairResult result;
      try (Repository repository = cli.open()) {
        result = lease == null ? repository.repairIndex() : repository.repairIndex(lease);
      }
      if (cli.json()) {
        cli.out.println(Json.object().put("packs_indexed", result.packsIndexed())
            .put("segments_written", result.segmentsWritten()).put("segments_removed", result.segmentsRemoved())
            .put("problems", result.problems()));
      } else {
        cli.out.println("indexed " + Format.count(result.packsIndexed(), "pack", "packs") + " in "
            + Format.count(result.segmentsWritten(), "new segment", "new segments") + "; removed "
            + Format.count(result.segmentsRemoved(), "old segment", "old segments"));
        for (String problem : result.problems()) {
          cli.err.println("problem: " + problem);
        }
      }
      return result.problems().isEmpty() ? Main.SUCCESS : Main.FAILURE;
    }
  }

  @Command(name = "snapshots", mixinStandardHelpOptions = true,
      description = {"Salvages every snapshot with unreadable directories or missing chunks into a new snapshot"
          + " tagged 'repaired' that keeps everything still readable, and lists what was lost.",
          "Needs the full key."})
  static final class Snapshots implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--forget", description = "forget the damaged snapshots once their repaired copies exist")
    private boolean forget;

    @Option(names = "--read-data", description = "also decrypt and verify every chunk (slow), and count damaged"
        + " ones as lost")
    private boolean readData;

    Snapshots(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws IOException, CliException {
      SnapshotRepairResult result;
      try (Repository repository = cli.open()) {
        result = repository.repairSnapshots(forget, readData);
      }
      if (cli.json()) {
        cli.out.println(Json.object().put("sound", result.sound()).put("repaired", result.repaired().stream()
            .map(r -> Json.object().put("original", r.original().hex()).put("replacement", r.replacement().hex())
                .put("forgotten", r.originalForgotten())
                .put("lost", r.lost().stream().map(e -> Json.object().put("path", e.path()).put("reason", e.reason()))
                    .toList()))
            .toList()));
        return Main.SUCCESS;
      }
      for (SnapshotRepairResult.Repaired r : result.repaired()) {
        cli.out.println("snapshot " + r.original().shortId() + " -> " + r.replacement().shortId()
            + (r.originalForgotten() ? " (original forgotten)" : "") + ", lost "
            + Format.count(r.lost().size(), "entry", "entries") + ":");
        for (FileError lost : r.lost()) {
          cli.out.println("  " + lost);
        }
      }
      cli.out.println(Format.count(result.repaired().size(), "snapshot", "snapshots") + " repaired, "
          + result.sound() + " sound");
      return Main.SUCCESS;
    }
  }
}
