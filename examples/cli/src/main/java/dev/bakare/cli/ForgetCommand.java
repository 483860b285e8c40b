package dev.bakare.cli;

import dev.bakare.ForgetPolicy;
import dev.bakare.ForgetResult;
import dev.bakare.PruneRequest;
import dev.bakare.PruneResult;
import dev.bakare.Repository;
import dev.bakare.Snapshot;
import dev.bakare.SnapshotId;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "forget",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Forgets snapshots: the ones named, or those the --keep rules do not keep. Snapshots are grouped by host"
            + " and paths; in each group, newest first, a snapshot stays if any rule keeps it.",
        "Forgetting deletes snapshots only; 'prune' (or --prune) reclaims the space their data took.",
        "Needs the full key."})
final class ForgetCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(paramLabel = "SNAPSHOT", arity = "0..*",
      description = "snapshots to forget: 'latest', or 4 or more hex digits of an id")
  private List<String> snapshots = new ArrayList<>();

  @Option(names = "--keep-last", paramLabel = "N", description = "keep the newest N snapshots")
  private int keepLast;

  @Option(names = "--keep-hourly", paramLabel = "N", description = "keep the newest snapshot of each of the last N hours that have one")
  private int keepHourly;

  @Option(names = "--keep-daily", paramLabel = "N", description = "the same for days")
  private int keepDaily;

  @Option(names = "--keep-weekly", paramLabel = "N", description = "the same for ISO weeks")
  private int keepWeekly;

  @Option(names = "--keep-monthly", paramLabel = "N", description = "the same for months")
  private int keepMonthly;

  @Option(names = "--keep-yearly", paramLabel = "N", description = "the same for years")
  private int keepYearly;

  @Option(names = "--keep-within", paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "keep snapshots taken within DURATION of the group's newest, " + Durations.EXAMPLES)
  private @Nullable Duration keepWithin;

  @Option(names = "--keep-tag", paramLabel = "TAG", split = ",",
      description = "keep snapshots with this tag; repeatable, or comma-separated")
  private List<String> keepTags = new ArrayList<>();

  @Option(names = "--host", paramLabel = "NAME", description = "apply the rules only to snapshots of this host; repeatable")
  private List<String> hosts = new ArrayList<>();

  @Option(names = "--tag", paramLabel = "TAG", split = ",",
      description = "apply the rules only to snapshots with one of these tags; repeatable, or comma-separated")
  private List<String> tags = new ArrayList<>();

  @Option(names = "--path", paramLabel = "PATH", description = "apply the rules only to snapshots of this path; repeatable")
  private List<String> paths = new ArrayList<>();

  @Option(names = "--dry-run", description = "show what would be forgotten and what is kept and why; change nothing")
  private boolean dryRun;

  @Option(names = "--prune", description = "prune afterwards, with the options below")
  private boolean prune;

  @Mixin
  private PruneOptions pruneOptions = new PruneOptions();

  ForgetCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    boolean rules = keepLast != 0 || keepHourly != 0 || keepDaily != 0 || keepWeekly != 0 || keepMonthly != 0
        || keepYearly != 0 || keepWithin != null || !keepTags.isEmpty();
    boolean filters = !hosts.isEmpty() || !tags.isEmpty() || !paths.isEmpty();
    if (!snapshots.isEmpty() && (rules || filters)) {
      throw CliException.usage("give snapshots to forget, or --keep rules, not both");
    }
    if (snapshots.isEmpty() && !rules) {
      throw CliException.usage(filters
          ? "--host, --tag and --path only choose the snapshots the --keep rules apply to: give at least one --keep rule"
          : "say what to forget: snapshot ids, or --keep rules such as --keep-daily 7");
    }
    for (int n : new int[] {keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly}) {
      if (n < 0) {
        throw CliException.usage("--keep counts must not be negative, got " + n);
      }
    }
    if (pruneOptions.given() && !prune) {
      throw CliException.usage("--grace, --session-expiry, --lease and --max-unused go with --prune");
    }
    PruneRequest pruneRequest = prune ? pruneOptions.request(dryRun) : null;
    ForgetResult forgotten;
    PruneResult pruned = null;
    try (Repository repository = cli.open()) {
      if (snapshots.isEmpty()) {
        forgotten = repository.forget(policy(), dryRun);
      } else {
        List<SnapshotId> ids = new ArrayList<>();
        for (String reference : snapshots) {
          SnapshotId id = repository.snapshot(reference).id();
          if (!ids.contains(id)) {
            ids.add(id);
          }
        }
        forgotten = repository.forget(ids, dryRun);
      }
      if (pruneRequest != null) {
        pruned = repository.prune(pruneRequest);
      }
    }
    if (cli.json()) {
      cli.out.println(Json.object()
          .put("dry_run", dryRun)
          .put("removed", forgotten.removed().stream().map(JsonViews::snapshot).toList())
          .put("kept", forgotten.kept().stream()
              .map(k -> JsonViews.snapshot(k.snapshot()).put("reasons", k.reasons())).toList())
          .put("prune", pruned == null ? null : PruneCommand.json(pruned)));
    } else {
      print(cli.out, forgotten, snapshots.isEmpty());
      if (pruned != null) {
        PruneCommand.print(cli.out, pruned, pruneRequest);
      } else if (!dryRun && !forgotten.removed().isEmpty()) {
        cli.out.println("run 'bakare prune' to reclaim the space they took");
      }
    }
    return Main.SUCCESS;
  }

  private ForgetPolicy policy() {
    ForgetPolicy.Builder policy = ForgetPolicy.builder().keepLast(keepLast).keepHourly(keepHourly)
        .keepDaily(keepDaily).keepWeekly(keepWeekly).keepMonthly(keepMonthly).keepYearly(keepYearly);
    if (keepWithin != null) {
      policy.keepWithin(keepWithin);
    }
    keepTags.forEach(policy::keepTag);
    hosts.forEach(policy::host);
    tags.forEach(policy::tag);
    paths.forEach(policy::path);
    return policy.build();
  }

  private static void print(PrintStream out, ForgetResult result, boolean byPolicy) {
    List<ForgetResult.Kept> kept = new ArrayList<>(result.kept());
    kept.sort(Comparator.comparing((ForgetResult.Kept k) -> k.snapshot().time()));
    List<Snapshot> removed = new ArrayList<>(result.removed());
    removed.sort(Comparator.comparing(Snapshot::time));
    if (byPolicy) {
      out.println("keep " + Format.count(kept.size(), "snapshot", "snapshots") + (kept.isEmpty() ? "" : ":"));
      for (ForgetResult.Kept k : kept) {
        out.println("  " + line(k.snapshot()) + "  (" + String.join(", ", k.reasons()) + ")");
      }
    }
    String verb = result.dryRun() ? "would forget " : "forgot ";
    out.println(verb + Format.count(removed.size(), "snapshot", "snapshots") + (removed.isEmpty() ? "" : ":"));
    for (Snapshot s : removed) {
      out.println("  " + line(s));
    }
  }

  private static String line(Snapshot s) {
    return s.id().shortId() + "  " + Format.localTime(s.time()) + "  " + s.host()
        + (s.tags().isEmpty() ? "" : "  [" + String.join(",", s.tags()) + "]")
        + (s.paths().isEmpty() ? "" : "  " + String.join(" ", s.paths()));
  }
}
