package dev.bakare.cli;

import dev.bakare.FileType;
import dev.bakare.FindQuery;
import dev.bakare.FindResult;
import dev.bakare.FoundPath;
import dev.bakare.FoundVersion;
import dev.bakare.Overwrite;
import dev.bakare.Repository;
import dev.bakare.RestoreRequest;
import dev.bakare.RestoreResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "find",
    mixinStandardHelpOptions = true,
    description = {
        "Finds files by name in every snapshot, fuzzily as fzf does: 'bakare find quartr rport 2023' finds"
            + " 'Quarterly Report 2023.xlsx'. Each term must match the path as a subsequence; upper case makes the"
            + " search case-sensitive; 'word matches exactly, ^word at the start of the name, word$ at the end,"
            + " !word excludes.",
        "Prints the best matches, numbered, each with the versions of its content, newest first (1.1, 1.2, ...):"
            + " size, modification time, and the snapshots that hold it. Restore one with --restore N (its newest"
            + " content) or --restore N.V, and --target.",
        "The first search of a repository builds a local name index (in the cache directory); later ones read"
            + " only new snapshots' changed directories."})
final class FindCommand implements Callable<Integer> {
  private static final Pattern CHOICE = Pattern.compile("([1-9][0-9]*)(?:\\.([1-9][0-9]*))?");

  private final Cli cli;

  @Parameters(paramLabel = "PATTERN", arity = "1..*",
      description = "what to look for; several words are several terms, as if quoted together")
  private List<String> pattern = new ArrayList<>();

  /** At most one of the pattern modes. */
  static final class Mode {
    @Option(names = "--glob", description = "read PATTERN as a glob: '*.pdf', 'docs/**/tax*' (the whole name,"
        + " or with a / the end of the path)")
    boolean glob;

    @Option(names = "--regex", description = "read PATTERN as a regular expression (found in the name, or with a"
        + " / in the path)")
    boolean regex;
  }

  @ArgGroup(exclusive = true)
  private @Nullable Mode mode;

  @Option(names = {"-s", "--snapshot"}, paramLabel = "SNAPSHOT",
      description = "search only this snapshot: 'latest' or 4+ hex digits of its id; repeatable (default: all)")
  private List<String> snapshots = new ArrayList<>();

  @Option(names = "--host", paramLabel = "NAME", description = "search only snapshots of this host")
  private @Nullable String host;

  @Option(names = "--path", paramLabel = "PATH", description = "search only below this absolute path")
  private String under = "";

  @Option(names = "--since", paramLabel = "TIME",
      description = "search only snapshots taken at or after TIME: 2024-05-01, 2024-05-01T12:00 (local), or an instant")
  private @Nullable String since;

  @Option(names = "--until", paramLabel = "TIME", description = "search only snapshots taken before TIME")
  private @Nullable String until;

  @Option(names = "--modified-after", paramLabel = "TIME", description = "only versions modified at or after TIME")
  private @Nullable String modifiedAfter;

  @Option(names = "--modified-before", paramLabel = "TIME", description = "only versions modified before TIME")
  private @Nullable String modifiedBefore;

  @Option(names = "--min-size", paramLabel = "SIZE", description = "only versions at least SIZE: 100, 512K, 10M, 2G")
  private @Nullable String minSize;

  @Option(names = "--max-size", paramLabel = "SIZE", description = "only versions at most SIZE")
  private @Nullable String maxSize;

  @Option(names = "--type", paramLabel = "TYPE", split = ",",
      description = "only these kinds: f (file), d (directory), l (symlink), s (special); comma-separated")
  private List<String> types = new ArrayList<>();

  @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20",
      description = "how many of the best matches to print (default: 20)")
  private int limit = 20;

  @Option(names = "--all", description = "print every match as soon as it is found, in name order, unranked and"
      + " unnumbered (for scripts and very broad patterns)")
  private boolean all;

  @Option(names = "--restore", paramLabel = "N[.V]",
      description = "restore match N: its newest content, or content version V as listed; needs --target")
  private @Nullable String restore;

  @Option(names = "--target", paramLabel = "PATH",
      description = "where --restore puts it: into PATH if that is a directory (or ends with /), else as PATH")
  private @Nullable String target;

  @Option(names = "--overwrite", paramLabel = "POLICY", defaultValue = "never",
      description = "with --restore, where a file exists already: never (the default), if-changed or always")
  private String overwrite = "never";

  FindCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, CliException {
    FindQuery.Builder query = query();
    Choice choice = restore == null ? null : choice(restore);
    if ((choice != null) != (target != null)) {
      throw CliException.usage(choice != null ? "--restore needs --target PATH: where to put the file"
          : "--target goes with --restore N: which match to restore");
    }
    if (choice != null && all) {
      throw CliException.usage("--restore picks from the numbered list, which --all does not print: drop --all");
    }
    Overwrite policy = RestoreCommand.overwritePolicy(overwrite);
    try (Repository repository = cli.open();
        ProgressLine progress = new ProgressLine(cli.err, cli.showProgress(), ProgressLine.Kind.OTHER, false)) {
      FindQuery withProgress = query.progress(p -> progress.show("indexing names: " + p.snapshotsIndexed() + " of "
          + Format.count(p.snapshotsToIndex(), "snapshot", "snapshots") + ", "
          + Format.count(p.treesRead(), "directory", "directories") + " read")).build();
      FindResult result;
      if (all) {
        result = repository.find(withProgress, found -> {
          progress.close();
          cli.out.println(cli.json() ? JsonViews.found(found, 0).toString() : found.path());
        });
      } else {
        result = repository.find(withProgress);
      }
      progress.close();
      for (String warning : result.warnings()) {
        cli.err.println("warning: " + warning);
      }
      if (choice != null) {
        return restore(repository, result, choice, policy);
      }
      if (!all) {
        print(result);
      }
    }
    return Main.SUCCESS;
  }

  /** The query the command line describes; checked, so that building it later cannot fail. */
  private FindQuery.Builder query() throws CliException {
    FindQuery.Builder builder = FindQuery.builder(String.join(" ", pattern))
        .mode(mode == null ? FindQuery.Mode.FUZZY : mode.glob ? FindQuery.Mode.GLOB : FindQuery.Mode.REGEX)
        .snapshots(snapshots).host(host).under(under)
        .taken(time(since, "--since"), time(until, "--until"))
        .modified(time(modifiedAfter, "--modified-after"), time(modifiedBefore, "--modified-before"))
        .types(types(types));
    long min = minSize == null ? 0 : size(minSize, "--min-size");
    long max = maxSize == null ? Long.MAX_VALUE : size(maxSize, "--max-size");
    if (max < min) {
      throw CliException.usage("--max-size " + maxSize + " is below --min-size " + minSize + ": nothing could match");
    }
    if (limit < 1) {
      throw CliException.usage("--limit must be at least 1, got " + limit);
    }
    try {
      builder.size(min, max).limit(limit).build();
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    return builder;
  }

  private static Set<FileType> types(List<String> letters) throws CliException {
    Set<FileType> set = EnumSet.noneOf(FileType.class);
    for (String letter : letters) {
      switch (letter.strip().toLowerCase(Locale.ROOT)) {
        case "f", "file" -> set.add(FileType.FILE);
        case "d", "dir", "directory" -> set.add(FileType.DIRECTORY);
        case "l", "symlink" -> set.add(FileType.SYMLINK);
        case "s", "special" -> set.add(FileType.SPECIAL);
        default -> throw CliException.usage("--type '" + letter + "' is not a kind: give f, d, l or s");
      }
    }
    return set;
  }

  /** A time as a date (its start, here), a local date and time, or an ISO-8601 instant. */
  static @Nullable Instant time(@Nullable String text, String option) throws CliException {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    try {
      if (t.endsWith("Z") || t.matches(".*[+-][0-9]{2}:[0-9]{2}$")) {
        return Instant.parse(t);
      }
      if (t.length() <= 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneId.systemDefault()).toInstant();
      }
      return LocalDateTime.parse(t.replace(' ', 'T')).atZone(ZoneId.systemDefault()).toInstant();
    } catch (DateTimeException e) {
      throw CliException.usage(option + " '" + text + "' is not a time: give 2024-05-01, 2024-05-01T12:00 or"
          + " 2024-05-01T12:00:00Z");
    }
  }

  private static long size(String text, String option) throws CliException {
    try {
      return Format.parseLongSize(text, option);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
  }

  /** Match {@code rank} (1-based), content version {@code version} (1-based, newest first). */
  private record Choice(int rank, int version) {}

  private static Choice choice(String text) throws CliException {
    Matcher m = CHOICE.matcher(text.strip());
    if (!m.matches()) {
      throw CliException.usage("--restore '" + text + "' is not a match number: give N or N.V as the list shows them");
    }
    try {
      return new Choice(Integer.parseInt(m.group(1)), m.group(2) == null ? 1 : Integer.parseInt(m.group(2)));
    } catch (NumberFormatException e) {
      throw CliException.usage("--restore '" + text + "' is too large a number");
    }
  }

  /**
   * Runs of versions with the same content, newest first: a run starts where the content changed. Each
   * run is listed by its newest version, the one a restore takes.
   */
  static List<List<FoundVersion>> contents(FoundPath path) {
    List<List<FoundVersion>> runs = new ArrayList<>();
    for (FoundVersion v : path.versions()) {
      if (v.change() != FoundVersion.Change.UNCHANGED || runs.isEmpty()) {
        runs.add(0, new ArrayList<>());
      }
      runs.get(0).add(v);
    }
    return runs;
  }

  private void print(FindResult result) {
    if (cli.json()) {
      List<Json> found = new ArrayList<>();
      for (int i = 0; i < result.best().size(); i++) {
        found.add(JsonViews.found(result.best().get(i), i + 1));
      }
      cli.out.println(Json.object()
          .put("matches", result.matches())
          .put("snapshots_searched", result.snapshotsSearched())
          .put("snapshots_indexed", result.snapshotsIndexed())
          .put("results", found)
          .put("warnings", result.warnings()));
      return;
    }
    if (result.best().isEmpty()) {
      cli.out.println("no match in " + Format.count(result.snapshotsSearched(), "snapshot", "snapshots"));
      return;
    }
    int width = Integer.toString(result.best().size()).length();
    for (int i = 0; i < result.best().size(); i++) {
      FoundPath path = result.best().get(i);
      boolean directory = path.latest().type() == FileType.DIRECTORY;
      cli.out.printf(Locale.ROOT, "%" + width + "d  %s%s%n", i + 1, path.path(), directory ? "/" : "");
      List<List<FoundVersion>> runs = contents(path);
      for (int v = 0; v < runs.size(); v++) {
        List<FoundVersion> run = runs.get(v);
        FoundVersion newest = run.get(run.size() - 1);
        String first = Format.localDate(run.get(0).snapshotTime());
        String last = Format.localDate(newest.snapshotTime());
        String snapshotsHeld = run.size() == 1
            ? "in snapshot " + newest.snapshot().shortId() + " of " + Format.localTime(newest.snapshotTime())
            : "in " + run.size() + " snapshots " + (first.equals(last) ? "of " + last : first + " .. " + last)
                + ", newest " + newest.snapshot().shortId();
        cli.out.printf(Locale.ROOT, "%s  %-" + (width + 4) + "s %10s  modified %s  %s%n", " ".repeat(width),
            (i + 1) + "." + (v + 1), directory ? "" : Format.size(newest.size()), Format.localTime(newest.mtime()),
            snapshotsHeld);
      }
    }
    String searched = Format.count(result.snapshotsSearched(), "snapshot", "snapshots") + " searched";
    cli.out.println(result.isTruncated()
        ? result.best().size() + " of " + Format.count(result.matches(), "match", "matches") + " shown; " + searched
            + "; show more with --limit, or narrow the pattern"
        : Format.count(result.matches(), "match", "matches") + "; " + searched);
  }

  private int restore(Repository repository, FindResult result, Choice choice, Overwrite policy)
      throws IOException, CliException {
    if (choice.rank() > result.best().size()) {
      throw CliException.failure("there is no match " + choice.rank() + ": the search found "
          + Format.count(result.best().size(), "match", "matches") + " (run it without --restore to see them)");
    }
    FoundPath path = result.best().get(choice.rank() - 1);
    List<List<FoundVersion>> runs = contents(path);
    if (choice.version() > runs.size()) {
      throw CliException.failure(path.path() + " has " + Format.count(runs.size(), "content version", "content versions")
          + ", not " + choice.version() + ": pick one of " + choice.rank() + ".1 to " + choice.rank() + "." + runs.size());
    }
    List<FoundVersion> run = runs.get(choice.version() - 1);
    FoundVersion version = run.get(run.size() - 1);
    String given = target == null ? "" : target;
    Path destination = Path.of(given).toAbsolutePath().normalize();
    boolean intoDirectory = given.endsWith("/") || Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS);
    Path directory = intoDirectory ? destination : destination.getParent();
    String name = intoDirectory ? path.name() : String.valueOf(destination.getFileName());
    if (directory == null) {
      throw CliException.usage("--target " + given + " has no directory to restore into: give a file path or a directory");
    }
    RestoreResult restored;
    try (ProgressLine progress = new ProgressLine(cli.err, cli.showProgress(), ProgressLine.Kind.RESTORE, false)) {
      restored = repository.restore(RestoreRequest.builder(version.snapshot(), directory)
          .include(path.path()).restoreAs(name).overwrite(policy).listener(progress).build());
    }
    Path written = directory.resolve(name);
    if (cli.json()) {
      cli.out.println(Json.object()
          .put("path", path.path())
          .put("snapshot_id", version.snapshot().hex())
          .put("snapshot_time", version.snapshotTime().toString())
          .put("restored_to", written.toString())
          .put("files", restored.files())
          .put("bytes", restored.bytes())
          .put("complete", restored.isComplete())
          .put("errors", JsonViews.errors(restored.errors())));
    } else {
      cli.out.println("restored " + path.path() + " from snapshot " + version.snapshot().shortId() + " of "
          + Format.localTime(version.snapshotTime()) + " to " + written + " (" + Format.size(restored.bytes()) + ")");
    }
    if (!restored.isComplete()) {
      cli.printErrors(restored.errors());
      throw CliException.failure(path.path() + " could not be restored completely (the errors are listed above)");
    }
    return Main.SUCCESS;
  }
}
