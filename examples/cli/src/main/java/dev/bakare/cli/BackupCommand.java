package dev.bakare.cli;

import dev.bakare.BackupRequest;
import dev.bakare.Repository;
import dev.bakare.Snapshot;
import dev.bakare.SnapshotId;
import dev.bakare.SnapshotStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
        "Backs up files and directories into a new snapshot.",
        "Files that cannot be read are listed on stderr and recorded in the snapshot; the backup goes on and"
            + " ends with exit code 3."})
final class BackupCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "files or directories to back up")
  private List<Path> paths = new ArrayList<>();

  @Option(names = "--tag", paramLabel = "TAG", split = ",",
      description = "label the snapshot; repeatable, or comma-separated")
  private List<String> tags = new ArrayList<>();

  @Option(names = "--host", paramLabel = "NAME", description = "host name to record (default: this machine's)")
  private @Nullable String host;

  @Option(names = {"-e", "--exclude"}, paramLabel = "PATTERN",
      description = "skip what matches the glob: with a '/' it matches absolute paths (/home/me/cache),"
          + " without one file names (*.tmp); repeatable")
  private List<String> excludes = new ArrayList<>();

  @Option(names = "--heartbeat", paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "how often the backup tells prunes it is alive (default: 60s), " + Durations.EXAMPLES
          + "; keep it well below the prunes' --session-expiry")
  private @Nullable Duration heartbeat;

  @Option(names = "--checkpoint-interval", paramLabel = "SECONDS",
      description = "record the index of the packs uploaded so far at least this often, so that a rerun after a"
          + " crash or kill -9 does not upload them again (default: 60)")
  private @Nullable Long checkpointSeconds;

  @Option(names = "--checkpoint-bytes", paramLabel = "BYTES",
      description = "record a checkpoint at least every this many uploaded bytes (default: 268435456, 256 MiB)")
  private @Nullable Long checkpointBytes;

  @Option(names = "--checkpoint-chunks", paramLabel = "COUNT",
      description = "record a checkpoint at least every this many uploaded chunks; each waits in memory until"
          + " then (default: 50000)")
  private @Nullable Integer checkpointChunks;

  BackupCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    if ((checkpointSeconds != null && checkpointSeconds <= 0) || (checkpointBytes != null && checkpointBytes <= 0)
        || (checkpointChunks != null && checkpointChunks <= 0)) {
      throw CliException.usage("--checkpoint-interval, --checkpoint-bytes and --checkpoint-chunks take positive numbers");
    }
    Snapshot snapshot;
    Duration took;
    if (heartbeat != null && (heartbeat.isZero() || heartbeat.isNegative())) {
      throw CliException.usage("--heartbeat must be longer than 0s");
    }
    Duration beat = heartbeat;
    try (Repository repository = cli.open(options -> {
          if (beat != null) {
            options.heartbeat(beat);
          }
        });
        ProgressLine progress = new ProgressLine(cli.err, cli.showProgress(), ProgressLine.Kind.BACKUP, true)) {
      BackupRequest snapshotRequest;
      BackupRequest.Builder request = BackupRequest.builder().paths(paths).tags(tags).excludes(excludes)
          .listener(progress);
      if (host != null) {
        request.host(host);
      }
      if (checkpointSeconds != null) {
        request.checkpointInterval(Duration.ofSeconds(checkpointSeconds));
      }
      if (checkpointChunks != null) {
        request.checkpointChunks(checkpointChunks);
      }
      if (checkpointBytes != null) {
        request.checkpointBytes(checkpointBytes);
      }
      snapshotRequest = request.build();
      long start = System.nanoTime();
      snapshot = repository.backup(snapshotRequest);
      took = Duration.ofNanos(System.nanoTime() - start);
    }
    if (cli.json()) {
      cli.out.println(JsonViews.snapshot(snapshot).put("duration_seconds", took.toMillis() / 1000.0));
    } else {
      printSummary(cli.out, snapshot, took);
    }
    if (snapshot.isPartial()) {
      long n = snapshot.stats().errorCount();
      cli.err.println("bakare: snapshot " + snapshot.id().shortId() + " saved, but "
          + Format.count(n, "file or directory", "files or directories")
          + " could not be backed up (listed above, each with why): fix what each line says and back up again"
          + " to include them");
      return Main.PARTIAL;
    }
    return Main.SUCCESS;
  }

  private static void printSummary(PrintStream out, Snapshot snapshot, Duration took) {
    SnapshotStats stats = snapshot.stats();
    out.println("snapshot " + snapshot.id().shortId() + " saved" + (snapshot.isPartial() ? " (partial)" : ""));
    SnapshotId parent = snapshot.parent();
    out.println("  files:        " + stats.files()
        + (parent == null ? "" : " (" + stats.unchangedFiles() + " unchanged since " + parent.shortId() + ", not read)"));
    out.println("  directories:  " + stats.directories());
    out.println("  total size:   " + Format.size(stats.totalBytes()));
    out.println("  new data:     " + Format.size(stats.newBytes()));
    out.println("  stored size:  " + Format.size(stats.storedBytes()) + " (new data and directory metadata, compressed)");
    out.println("  duration:     " + Format.duration(took));
  }
}
