package dev.bakare.cli;

import dev.bakare.CheckRequest;
import dev.bakare.CheckResult;
import dev.bakare.Repository;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
        "Verifies the repository: every snapshot's trees and chunks resolve, every index entry points into an"
            + " existing pack; with --read-data, packs are read whole and every chunk is decrypted and verified.",
        "Every problem names the damaged object and what it affects. Exit code 1 if there is any."})
final class CheckCommand implements Callable<Integer> {
  private final Cli cli;

  @ArgGroup(exclusive = true)
  private DataOptions data = new DataOptions();

  static final class DataOptions {
    @Option(names = "--read-data", description = "read and verify every pack")
    boolean all;

    @Option(names = "--read-data-subset", paramLabel = "N%",
        description = "read and verify N percent of the packs, chosen at random")
    String subset = "";
  }

  CheckCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    int percent = data.all ? 100 : data.subset.isEmpty() ? 0
        : (int) Math.ceil(Percent.parse("--read-data-subset", data.subset, 1, 100));
    CheckResult result;
    try (Repository repository = cli.open()) {
      result = repository.check(new CheckRequest(percent));
    }
    if (cli.json()) {
      cli.out.println(Json.object()
          .put("clean", result.isClean())
          .put("snapshots", result.snapshots())
          .put("trees", result.trees())
          .put("packs", result.packs())
          .put("chunks", result.chunks())
          .put("packs_read", result.packsRead())
          .put("problems", result.problems().stream().map(p -> Json.object()
              .put("object", p.object()).put("description", p.description()).put("affects", p.affects())).toList())
          .put("notes", result.notes()));
    } else {
      cli.out.println("checked " + Format.count(result.snapshots(), "snapshot", "snapshots") + ", "
          + Format.count(result.trees(), "tree", "trees") + ", " + Format.count(result.packs(), "pack", "packs")
          + " holding " + Format.count(result.chunks(), "chunk", "chunks")
          + (result.packsRead() > 0 ? " (" + result.packsRead() + " read whole)" : ""));
      for (String note : result.notes()) {
        cli.out.println("note: " + note);
      }
      for (CheckResult.Problem problem : result.problems()) {
        cli.err.println("problem: " + problem);
      }
      cli.out.println(result.isClean() ? "no problems found" : Format.count(result.problems().size(), "problem", "problems") + " found");
    }
    return result.isClean() ? Main.SUCCESS : Main.FAILURE;
  }
}
