package dev.bakare.cli;

import dev.bakare.PruneRequest;
import dev.bakare.PruneResult;
import dev.bakare.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description = {
        "Reclaims the space of forgotten snapshots, without ever breaking a backup that runs meanwhile, on this"
            + " host or another.",
        "A prune deletes what an earlier prune marked, once the grace period has passed and every backup that"
            + " might use it has finished or gone silent for the session expiry; then it marks what is unused"
            + " now (copying the used part of mostly unused packs), for a later prune to delete.",
        "Needs the full key."})
final class PruneCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin
  private PruneOptions options = new PruneOptions();

  @Option(names = "--dry-run", description = "show what would be deleted and marked, change nothing")
  private boolean dryRun;

  PruneCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    PruneRequest request = options.request(dryRun);
    PruneResult result;
    try (Repository repository = cli.open()) {
      result = repository.prune(request);
    }
    if (cli.json()) {
      cli.out.println(json(result));
    } else {
      print(cli.out, result, request);
    }
    return Main.SUCCESS;
  }

  static Json json(PruneResult r) {
    return Json.object()
        .put("dry_run", r.dryRun())
        .put("packs_deleted", r.packsDeleted())
        .put("bytes_deleted", r.bytesDeleted())
        .put("packs_kept", r.packsKept())
        .put("packs_marked", r.packsMarked())
        .put("bytes_marked", r.bytesMarked())
        .put("packs_repacked", r.packsRepacked())
        .put("bytes_repacked", r.bytesRepacked())
        .put("sessions_abandoned", r.sessionsAbandoned())
        .put("incomplete_upload_bytes", r.incompleteUploadBytes())
        .put("waiting_for", r.waitingFor());
  }

  /** What a prune did, a line for each kind of work it did, and whom it waits for. */
  static void print(PrintStream out, PruneResult r, PruneRequest request) {
    String would = r.dryRun() ? "would " : "";
    boolean any = false;
    if (r.packsDeleted() > 0) {
      out.println(sentence(would, "delete", "deleted") + Format.count(r.packsDeleted(), "pack", "packs") + " ("
          + Format.size(r.bytesDeleted()) + ") that earlier prunes marked");
      any = true;
    }
    if (r.packsKept() > 0) {
      out.println(sentence(would, "keep", "kept") + Format.count(r.packsKept(), "pack", "packs")
          + " that earlier prunes marked: a snapshot still uses them");
      any = true;
    }
    if (r.packsRepacked() > 0) {
      out.println(sentence(would, "repack", "repacked") + Format.count(r.packsRepacked(), "mostly unused pack",
          "mostly unused packs") + (r.dryRun() ? "" : ", copying " + Format.size(r.bytesRepacked()) + " still in use"));
      any = true;
    }
    if (r.packsMarked() > 0) {
      String them = r.packsMarked() == 1 ? "it" : "them";
      out.println(sentence(would, "mark", "marked") + Format.count(r.packsMarked(), "pack", "packs") + " ("
          + Format.size(r.bytesMarked()) + ") as unused; a later prune deletes " + them + " after the grace period ("
          + Durations.format(request.grace()) + "), once no backup that started earlier can still need " + them);
      any = true;
    }
    if (r.sessionsAbandoned() > 0) {
      out.println(sentence(would, "judge", "judged") + Format.count(r.sessionsAbandoned(), "backup", "backups")
          + " abandoned (no heartbeat for " + Durations.format(request.sessionExpiry())
          + "): if one resumes, it stores again whatever was pruned and then commits");
      any = true;
    }
    if (r.incompleteUploadBytes() > 0) {
      out.println("removed " + Format.size(r.incompleteUploadBytes()) + " left by uploads that never finished"
          + " (backups killed during a put, more than " + Durations.format(request.sessionExpiry()) + " ago)");
      any = true;
    }
    if (!r.waitingFor().isEmpty()) {
      out.println("waiting for " + Format.count(r.waitingFor().size(), "backup", "backups")
          + " before deleting what earlier prunes marked (a later prune deletes it once they end or go silent for "
          + Durations.format(request.sessionExpiry()) + "):");
      for (String backup : r.waitingFor()) {
        out.println("  " + backup);
      }
      any = true;
    }
    if (!any) {
      out.println("nothing to delete or mark: every pack is in use");
    }
  }

  private static String sentence(String would, String verb, String past) {
    return would.isEmpty() ? past + " " : would + verb + " ";
  }
}
