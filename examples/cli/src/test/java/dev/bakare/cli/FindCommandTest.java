package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bakare find}: numbered results with content versions, restoring one, JSON, and its errors. */
class FindCommandTest {
  @TempDir Path temp;
  private CliRunner cli;
  private Path repo;
  private Path source;
  private Path report;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliRunner(temp.resolve("config"));
    cli.env.put("XDG_CACHE_HOME", temp.resolve("cache").toString());
    repo = temp.resolve("repo");
    source = Files.createDirectories(temp.resolve("home/ana"));
    Files.createDirectories(source.resolve("Documents/Finance"));
    Files.createDirectories(source.resolve("Pictures"));
    report = source.resolve("Documents/Finance/Quarterly Report 2023.xlsx");
    Files.writeString(report, "first quarter");
    Files.writeString(source.resolve("Documents/Finance/Quarterly Report 2022.xlsx"), "last year");
    for (int i = 2040; i < 2046; i++) {
      Files.writeString(source.resolve("Pictures/IMG_" + i + ".jpg"), "photo " + i);
    }
    cli.run("-r", repo, "init").assertSuccess();
    cli.run("-r", repo, "backup", source).assertSuccess();
    Files.writeString(report, "first and second quarter");
    cli.run("-r", repo, "backup", source).assertSuccess();
  }

  @Test
  void printsNumberedMatchesWithTheirContentVersions() {
    CliRunner.Result found = cli.run("-r", repo, "find", "quartr", "rport", "2023.xlsx$").assertSuccess();
    List<String> lines = found.out().lines().toList();
    assertEquals("1  " + report, lines.get(0), found.out());
    assertTrue(lines.get(1).strip().startsWith("1.1"), found.out());
    assertTrue(lines.get(1).contains("24 B"), "the newest content first: " + found.out());
    assertTrue(lines.get(2).strip().startsWith("1.2") && lines.get(2).contains("13 B"), found.out());
    assertTrue(lines.get(lines.size() - 1).contains("2 snapshots searched"), found.out());
    assertTrue(found.err().isEmpty(), found.err());
  }

  @Test
  void restoresAnOlderVersionIntoADirectoryOrUnderANewName() throws IOException {
    Path recovered = temp.resolve("recovered");
    CliRunner.Result older = cli.run("-r", repo, "find", "quarterly 2023.xlsx$", "--restore", "1.2",
        "--target", recovered + "/").assertSuccess();
    assertTrue(older.out().startsWith("restored " + report + " from snapshot "), older.out());
    assertEquals("first quarter", Files.readString(recovered.resolve("Quarterly Report 2023.xlsx")));

    Path renamed = recovered.resolve("report-now.xlsx");
    cli.run("-r", repo, "find", "quarterly 2023.xlsx$", "--restore", "1", "--target", renamed).assertSuccess();
    assertEquals("first and second quarter", Files.readString(renamed));

    cli.run("-r", repo, "find", "quarterly 2023.xlsx$", "--restore", "1", "--target", renamed)
        .assertOneLineError(Main.FAILURE, "would overwrite");
  }

  @Test
  void jsonHoldsEveryVersion() {
    CliRunner.Result found = cli.run("-r", repo, "find", "--json", "quarterly 2023.xlsx$").assertSuccess();
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) JsonParser.parse(found.out().strip());
    assertEquals(1L, json.get("matches"));
    assertEquals(2L, json.get("snapshots_searched"));
    @SuppressWarnings("unchecked")
    Map<String, Object> first = ((List<Map<String, Object>>) json.get("results")).get(0);
    assertEquals(1L, first.get("rank"));
    assertEquals(report.toString(), first.get("path"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> versions = (List<Map<String, Object>>) first.get("versions");
    assertEquals(List.of("first", "changed"), versions.stream().map(v -> v.get("change")).toList());
    assertEquals(List.of(13L, 24L), versions.stream().map(v -> v.get("size")).toList());
  }

  @Test
  void allStreamsEveryMatchOnALine() {
    CliRunner.Result all = cli.run("-r", repo, "find", "--all", "--glob", "IMG_*.jpg").assertSuccess();
    List<String> lines = all.out().lines().toList();
    assertEquals(6, lines.size(), all.out());
    assertTrue(lines.stream().allMatch(l -> l.startsWith(source.resolve("Pictures/IMG_204").toString())), all.out());
    CliRunner.Result json = cli.run("-r", repo, "find", "--all", "--json", "--type", "d", "pictures").assertSuccess();
    assertEquals(1, json.out().lines().count(), json.out());
    assertTrue(json.out().contains("\"path\":\"" + source.resolve("Pictures") + "\""), json.out());
  }

  @Test
  void filtersAndLimits() {
    CliRunner.Result limited = cli.run("-r", repo, "find", "-n", "2", "IMG").assertSuccess();
    assertTrue(limited.out().contains("2 of 6 matches shown"), limited.out());
    CliRunner.Result big = cli.run("-r", repo, "find", "--min-size", "20", "quarterly").assertSuccess();
    Matcher versions = Pattern.compile("(?m)^ +1\\.\\d").matcher(big.out());
    assertTrue(versions.find() && !versions.find(), "only the larger content: " + big.out());
    CliRunner.Result none = cli.run("-r", repo, "find", "--snapshot", "latest", "zzzqqq").assertSuccess();
    assertEquals("no match in 1 snapshot", none.out().strip());
  }

  @Test
  void mistakesGetOneLineErrors() {
    cli.run("-r", repo, "find", "report", "--restore", "1").assertOneLineError(Main.USAGE, "--restore needs --target");
    cli.run("-r", repo, "find", "report", "--target", "x").assertOneLineError(Main.USAGE, "--target goes with --restore");
    cli.run("-r", repo, "find", "report", "--restore", "x1", "--target", "x").assertOneLineError(Main.USAGE, "N or N.V");
    cli.run("-r", repo, "find", "report", "--restore", "9", "--target", temp.resolve("t"))
        .assertOneLineError(Main.FAILURE, "there is no match 9");
    cli.run("-r", repo, "find", "report", "--min-size", "lots").assertOneLineError(Main.USAGE, "takes a size");
    cli.run("-r", repo, "find", "report", "--since", "yesterday").assertOneLineError(Main.USAGE, "is not a time");
    cli.run("-r", repo, "find", "--regex", "([").assertOneLineError(Main.USAGE, "not a valid regular expression");
    cli.run("-r", repo, "find", "--glob", "--regex", "x").assertOneLineError(Main.USAGE, "mutually exclusive");
    cli.run("-r", repo, "find", "--type", "q", "x").assertOneLineError(Main.USAGE, "is not a kind");
    cli.run("-r", repo, "find", "-s", "ffffff", "x").assertOneLineError(Main.FAILURE, "no snapshot matches 'ffffff'");
  }

  @Test
  void aWriteKeyCannotFindNames() {
    Path writeKey = temp.resolve("write.key");
    cli.run("-r", repo, "key", "export-write", "--out", writeKey).assertSuccess();
    CliRunner.Result result = cli.run("-r", repo, "--key", writeKey, "find", "report");
    result.assertOneLineError(Main.FAILURE, "finding files by name");
    assertTrue(result.err().contains("needs the full key"), result.err());
    assertFalse(result.err().contains("Exception"), result.err());
  }
}
