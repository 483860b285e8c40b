package dev.bakare.cli;

import dev.bakare.Repository;
import dev.bakare.Snapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
    name = "snapshots",
    mixinStandardHelpOptions = true,
    description = {
        "Lists the snapshots, oldest first, with times in this machine's time zone.",
        "With a write key the paths are not shown: they are readable only with the full key."})
final class SnapshotsCommand implements Callable<Integer> {
  private static final String[] HEADERS = {"ID", "Time", "Host", "Tags", "Paths"};

  private final Cli cli;

  SnapshotsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    List<Snapshot> snapshots;
    boolean fullKey;
    try (Repository repository = cli.open()) {
      snapshots = repository.snapshots();
      fullKey = repository.info().fullKey();
    }
    if (cli.json()) {
      cli.out.println(Json.array(snapshots.stream().map(JsonViews::snapshot).toList()));
    } else if (snapshots.isEmpty()) {
      cli.out.println("no snapshots yet");
    } else {
      printTable(cli.out, snapshots, fullKey);
    }
    return Main.SUCCESS;
  }

  private static void printTable(PrintStream out, List<Snapshot> snapshots, boolean fullKey) {
    List<String[]> rows = new ArrayList<>();
    for (Snapshot s : snapshots) {
      List<String> paths = s.paths();
      String tags = String.join(",", s.tags());
      rows.add(new String[] {s.id().shortId(), Format.localTime(s.time()), s.host(), tags,
          paths.isEmpty() ? (fullKey ? "" : "(paths need the full key)") : paths.get(0)});
      // Further paths go on lines of their own under the first, as restic shows them.
      for (int i = 1; i < paths.size(); i++) {
        rows.add(new String[] {"", "", "", "", paths.get(i)});
      }
    }
    int[] widths = new int[HEADERS.length];
    for (int c = 0; c < HEADERS.length; c++) {
      widths[c] = HEADERS[c].length();
      for (String[] row : rows) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    String header = line(HEADERS, widths);
    String rule = "-".repeat(header.length());
    out.println(header);
    out.println(rule);
    for (String[] row : rows) {
      out.println(line(row, widths));
    }
    out.println(rule);
    out.println(Format.count(snapshots.size(), "snapshot", "snapshots"));
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) {
        line.append("  ");
      }
      line.append(cells[c]);
      if (c < cells.length - 1) {
        line.append(" ".repeat(widths[c] - cells[c].length()));
      }
    }
    return line.toString().stripTrailing();
  }
}
