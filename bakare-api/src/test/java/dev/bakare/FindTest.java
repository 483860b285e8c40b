package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Repository#find} over real backups: versions and changes, filters, the cache, keys, restoring a find. */
class FindTest {
  /**
   * Anchored at the end of the path: the temporary directory's name has random digits, in which a fuzzy
   * "2023" could also match.
   */
  private static final String REPORT_2023 = "quarterly 2023.xlsx$";

  @TempDir Path temp;
  TestRepo repo;
  Path source;
  Path cache;

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("home/ana"));
    cache = temp.resolve("cache");
    Files.createDirectories(source.resolve("Documents/Finance"));
    Files.createDirectories(source.resolve("Pictures"));
    write("Documents/Finance/Quarterly Report 2023.xlsx", "q1 numbers");
    write("Documents/Finance/Quarterly Report 2022.xlsx", "old numbers");
    write("Documents/notes.txt", "notes");
    for (int i = 2035; i < 2050; i++) {
      write("Pictures/IMG_" + i + ".jpg", "picture " + i);
    }
  }

  private Repository open() throws IOException {
    return Repository.open(repo.options().cacheDirectory(cache).build());
  }

  private Repository init() throws IOException {
    return Repository.init(repo.options().cacheDirectory(cache).build());
  }

  private void write(String relative, String content) throws IOException {
    Files.writeString(source.resolve(relative), content);
  }

  private String abs(String relative) {
    return source.resolve(relative).toString();
  }

  /** Three snapshots: the report changes, notes are only touched, a picture is deleted, one is added. */
  private List<Snapshot> threeBackups(Repository r) throws IOException, InterruptedException {
    List<Snapshot> snapshots = new ArrayList<>();
    snapshots.add(r.backup(BackupRequest.builder().path(source).host("laptop").build()));
    write("Documents/Finance/Quarterly Report 2023.xlsx", "q1 and q2 numbers");
    Files.setLastModifiedTime(source.resolve("Documents/notes.txt"), FileTime.from(Instant.parse("2024-01-02T03:04:05Z")));
    Files.delete(source.resolve("Pictures/IMG_2041.jpg"));
    snapshots.add(r.backup(BackupRequest.builder().path(source).host("laptop").build()));
    write("Pictures/IMG_2041 edited.jpg", "edited");
    snapshots.add(r.backup(BackupRequest.builder().path(source).host("desktop").build()));
    return snapshots;
  }

  @Test
  void findsVersionsAcrossSnapshotsWithTheirChanges() throws Exception {
    try (Repository r = init()) {
      List<Snapshot> s = threeBackups(r);
      FindResult result = r.find(FindQuery.of("quartr rport 2023"));
      assertEquals(3, result.snapshotsSearched());
      assertEquals(3, result.snapshotsIndexed());
      FoundPath top = result.best().get(0);
      assertEquals(abs("Documents/Finance/Quarterly Report 2023.xlsx"), top.path());
      assertEquals(List.of(s.get(0).id(), s.get(1).id(), s.get(2).id()),
          top.versions().stream().map(FoundVersion::snapshot).toList());
      assertEquals(List.of(FoundVersion.Change.FIRST, FoundVersion.Change.CHANGED, FoundVersion.Change.UNCHANGED),
          top.versions().stream().map(FoundVersion::change).toList());
      assertEquals(List.of(10L, 17L, 17L), top.versions().stream().map(FoundVersion::size).toList());
      assertEquals(List.of("laptop", "laptop", "desktop"), top.versions().stream().map(FoundVersion::host).toList());
      assertEquals(FileType.FILE, top.latest().type());

      FoundPath notes = r.find(FindQuery.of("notes.txt")).best().get(0);
      assertEquals(List.of(FoundVersion.Change.FIRST, FoundVersion.Change.UNCHANGED, FoundVersion.Change.UNCHANGED),
          notes.versions().stream().map(FoundVersion::change).toList(), "touched, not changed");
      assertEquals(Instant.parse("2024-01-02T03:04:05Z"), notes.latest().mtime());

      FoundPath deleted = r.find(FindQuery.of("IMG_2041.jpg")).best().get(0);
      assertEquals(abs("Pictures/IMG_2041.jpg"), deleted.path());
      assertEquals(List.of(s.get(0).id()), deleted.versions().stream().map(FoundVersion::snapshot).toList());
    }
  }

  @Test
  void theSecondSearchReadsNoTreesAndANewSnapshotOnlyItsOwn() throws Exception {
    try (Repository r = init()) {
      threeBackups(r);
      assertEquals(3, r.find(FindQuery.of("report")).snapshotsIndexed());
      FindResult again = r.find(FindQuery.of("IMG_204"));
      assertEquals(0, again.snapshotsIndexed());
      assertEquals(3, again.snapshotsSearched());
      write("Documents/Finance/Quarterly Report 2024.xlsx", "new year");
      r.backup(BackupRequest.of(source));
      FindResult fourth = r.find(FindQuery.of("quarterly report 2024"));
      assertEquals(1, fourth.snapshotsIndexed());
      assertEquals(abs("Documents/Finance/Quarterly Report 2024.xlsx"), fourth.best().get(0).path());
    }
    // Another process (here: another open) uses the cache the first one wrote.
    try (Repository r = open()) {
      assertEquals(0, r.find(FindQuery.of("notes")).snapshotsIndexed());
    }
  }

  @Test
  void progressCountsSnapshotsAndEndsOnceTheIndexIsWritten() throws Exception {
    String id;
    try (Repository r = init()) {
      threeBackups(r);
      id = r.info().id();
      Path names = cache.resolve(id).resolve("names");
      List<FindQuery.Progress> reports = new ArrayList<>();
      List<Boolean> cacheWritten = new ArrayList<>();
      r.find(FindQuery.builder("report").progress(p -> {
        reports.add(p);
        try {
          cacheWritten.add(Files.isDirectory(names) && !cacheFiles(names).isEmpty());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).build());
      FindQuery.Progress last = reports.get(reports.size() - 1);
      assertEquals(3, last.snapshotsIndexed());
      assertEquals(3, last.snapshotsToIndex());
      assertTrue(last.treesRead() > 0);
      assertEquals(1, reports.stream().filter(p -> p.snapshotsIndexed() == 3).count(), "one final report: " + reports);
      assertTrue(cacheWritten.get(cacheWritten.size() - 1), "the final report comes after the index is written");
      for (int i = 1; i < reports.size(); i++) {
        assertTrue(reports.get(i).snapshotsIndexed() >= reports.get(i - 1).snapshotsIndexed(), reports.toString());
      }
    }
  }

  @Test
  void cacheIsPrivateAndSealed() throws Exception {
    String id;
    try (Repository r = init()) {
      threeBackups(r);
      r.find(FindQuery.of("report"));
      id = r.info().id();
    }
    Path names = cache.resolve(id).resolve("names");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(names)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(names.getParent())));
    List<Path> files = cacheFiles(names);
    assertFalse(files.isEmpty());
    for (Path file : files) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertFalse(content.contains("Quarterly") || content.contains("IMG_"), "names are encrypted at rest: " + file);
    }
  }

  private static List<Path> cacheFiles(Path names) throws IOException {
    try (Stream<Path> list = Files.list(names)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".names")).sorted().toList();
    }
  }

  @Test
  void aDamagedCacheIsRebuiltWithTheSameResults() throws Exception {
    String id;
    List<String> expected;
    try (Repository r = init()) {
      threeBackups(r);
      expected = r.find(FindQuery.of("img")).best().stream().map(FoundPath::path).toList();
      id = r.info().id();
    }
    Path names = cache.resolve(id).resolve("names");
    byte[][] damages = {new byte[0], "garbage".getBytes(StandardCharsets.US_ASCII), null};
    for (byte[] damage : damages) {
      Path file = cacheFiles(names).get(0);
      byte[] bytes = Files.readAllBytes(file);
      if (damage == null) {
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
      } else {
        Files.write(file, damage);
      }
      try (Repository r = open()) {
        FindResult result = r.find(FindQuery.of("img"));
        assertEquals(expected, result.best().stream().map(FoundPath::path).toList());
        assertEquals(3, result.snapshotsIndexed(), "rebuilt");
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("damaged") && w.contains("rebuilding")),
            () -> "warnings: " + result.warnings());
      }
    }
    // A foreign file in the directory and a leftover temporary file are harmless.
    Files.writeString(names.resolve("README"), "not ours");
    Files.writeString(names.resolve(".0-9.names.abc.tmp"), "interrupted");
    try (Repository r = open()) {
      FindResult result = r.find(FindQuery.of("img"));
      assertEquals(0, result.snapshotsIndexed());
      assertTrue(result.warnings().isEmpty(), () -> "warnings: " + result.warnings());
    }
  }

  @Test
  void damageFoundDuringTheSearchRebuildsTheCache() throws Exception {
    String id;
    List<String> expected;
    try (Repository r = init()) {
      threeBackups(r);
      expected = r.find(FindQuery.builder(".").mode(FindQuery.Mode.REGEX).limit(1000).build())
          .best().stream().map(FoundPath::path).toList();
      id = r.info().id();
    }
    Path file = cacheFiles(cache.resolve(id).resolve("names")).get(0);
    byte[] bytes = Files.readAllBytes(file);
    int headLength = java.nio.ByteBuffer.wrap(bytes, 5, 4).getInt();
    bytes[9 + headLength + 20] ^= 1;
    Files.write(file, bytes);
    try (Repository r = open()) {
      List<String> streamed = new ArrayList<>();
      FindResult result = r.find(FindQuery.builder(".").mode(FindQuery.Mode.REGEX).limit(1000).build(),
          p -> streamed.add(p.path()));
      assertEquals(expected, result.best().stream().map(FoundPath::path).toList());
      assertEquals(Set.copyOf(expected), Set.copyOf(streamed));
      assertEquals(expected.size(), streamed.size(), "each path once");
      assertTrue(result.warnings().stream().anyMatch(w -> w.contains("damaged")), () -> "warnings: " + result.warnings());
      assertEquals(3, result.snapshotsIndexed(), "rebuilt");
    }
  }

  @Test
  void anUnusableCacheDirectoryOnlyCostsTime() throws Exception {
    String id;
    try (Repository r = init()) {
      threeBackups(r);
      id = r.info().id();
    }
    // A file where the repository's cache directory should be (root ignores permissions, so a mode would not
    // do); the backups made it a directory already, holding their caches.
    Files.createDirectories(cache);
    TestFiles.deleteTree(cache.resolve(id));
    Files.writeString(cache.resolve(id), "not a directory");
    try (Repository r = open()) {
      FindResult result = r.find(FindQuery.of("quarterly 2023"));
      assertEquals(abs("Documents/Finance/Quarterly Report 2023.xlsx"), result.best().get(0).path());
      assertTrue(result.warnings().stream().anyMatch(w -> w.contains("cannot use the name index cache")),
          () -> "warnings: " + result.warnings());
    }
  }

  @Test
  void aWriteKeySaysNamesAreNotReadable() throws Exception {
    Path writeKey = temp.resolve("write.key");
    String id;
    try (Repository r = init()) {
      r.backup(BackupRequest.of(source));
      r.exportWriteKey(writeKey, null);
      id = r.info().id();
    }
    try (Repository w = Repository.open(repo.options().cacheDirectory(cache).keyFile(writeKey).build())) {
      KeyException e = assertThrows(KeyException.class, () -> w.find(FindQuery.of("report")));
      assertTrue(e.getMessage().contains("finding files by name") && e.getMessage().contains("needs the full key"),
          e.getMessage());
    }
    assertFalse(Files.exists(cache.resolve(id).resolve("names")), "no name index for a write key");
  }

  @Test
  void filtersSelectSnapshotsAndEntries() throws Exception {
    try (Repository r = init()) {
      List<Snapshot> s = threeBackups(r);
      assertEquals(List.of(s.get(2).id()), versionsOf(r, FindQuery.builder(REPORT_2023).host("DESKTOP")));
      assertEquals(List.of(s.get(2).id()), versionsOf(r, FindQuery.builder(REPORT_2023).snapshot("latest")));
      assertEquals(List.of(s.get(1).id()),
          versionsOf(r, FindQuery.builder(REPORT_2023).snapshot(s.get(1).id().shortId())));
      assertEquals(List.of(s.get(1).id(), s.get(2).id()),
          versionsOf(r, FindQuery.builder(REPORT_2023).taken(s.get(1).time(), null)));
      assertEquals(List.of(s.get(0).id()),
          versionsOf(r, FindQuery.builder(REPORT_2023).taken(null, s.get(1).time())));
      assertEquals(List.of(s.get(1).id(), s.get(2).id()),
          versionsOf(r, FindQuery.builder(REPORT_2023).size(11, 100)), "the larger versions only");

      List<FoundPath> dirs = r.find(FindQuery.builder("finance").types(Set.of(FileType.DIRECTORY)).build()).best();
      assertEquals(List.of(abs("Documents/Finance")), dirs.stream().map(FoundPath::path).toList());
      assertEquals(FoundVersion.Change.CHANGED, dirs.get(0).versions().get(1).change(), "a file below changed");

      List<FoundPath> underPictures = r.find(FindQuery.builder("2").under(abs("Pictures")).limit(100).build()).best();
      assertTrue(underPictures.stream().allMatch(p -> p.path().startsWith(abs("Pictures") + "/")), () -> "" + underPictures);
      assertEquals(16, underPictures.size());

      List<FoundPath> modified = r.find(FindQuery.builder("notes")
          .modified(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-02-01T00:00:00Z")).build()).best();
      assertEquals(2, modified.get(0).versions().size(), "only the touched versions");

      RepositoryException unknown = assertThrows(RepositoryException.class,
          () -> r.find(FindQuery.builder("x").snapshot("ffffffff").build()));
      assertTrue(unknown.getMessage().contains("no snapshot matches 'ffffffff'"), unknown.getMessage());
    }
  }

  private static List<SnapshotId> versionsOf(Repository r, FindQuery.Builder query) throws IOException {
    FindResult result = r.find(query.build());
    assertEquals(1, result.best().size(), () -> "results: " + result.best());
    return result.best().get(0).versions().stream().map(FoundVersion::snapshot).toList();
  }

  @Test
  void everyMatchIsStreamedOnceAndTheBestAreRanked() throws Exception {
    try (Repository r = init()) {
      threeBackups(r);
      List<FoundPath> streamed = new ArrayList<>();
      FindResult result = r.find(FindQuery.builder("IMG_204").limit(3).build(), streamed::add);
      List<String> paths = streamed.stream().map(FoundPath::path).toList();
      assertEquals(paths.size(), Set.copyOf(paths).size(), "each path once");
      assertEquals(result.matches(), streamed.size());
      assertEquals(11, streamed.size(), "IMG_2040..2049 and the edited copy: " + paths);
      assertEquals(3, result.best().size());
      assertTrue(result.isTruncated());
      assertTrue(result.best().get(0).score() >= result.best().get(2).score());
      for (FoundPath best : result.best()) {
        assertTrue(streamed.contains(best), "the ranked ones were streamed too, equal: " + best);
      }
    }
  }

  @Test
  void globsAndRegularExpressions() throws Exception {
    try (Repository r = init()) {
      threeBackups(r);
      List<String> globbed = r.find(FindQuery.builder("quarterly*.xlsx").mode(FindQuery.Mode.GLOB).build())
          .best().stream().map(FoundPath::path).toList();
      assertEquals(List.of(abs("Documents/Finance/Quarterly Report 2022.xlsx"),
          abs("Documents/Finance/Quarterly Report 2023.xlsx")), globbed);
      List<String> regexed = r.find(FindQuery.builder("^IMG_204[0-2]\\.jpg$").mode(FindQuery.Mode.REGEX).build())
          .best().stream().map(FoundPath::path).toList();
      assertEquals(List.of(abs("Pictures/IMG_2040.jpg"), abs("Pictures/IMG_2041.jpg"), abs("Pictures/IMG_2042.jpg")),
          regexed);
      IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
          () -> FindQuery.builder("([").mode(FindQuery.Mode.REGEX).build());
      assertTrue(bad.getMessage().contains("not a valid regular expression"), bad.getMessage());
    }
  }

  @Test
  void forgottenSnapshotsDisappearFromResults() throws Exception {
    try (Repository r = init()) {
      List<Snapshot> s = threeBackups(r);
      r.find(FindQuery.of("img"));
      r.forget(List.of(s.get(0).id()), false);
      FindResult result = r.find(FindQuery.of("IMG_2041.jpg"));
      assertTrue(result.best().stream().noneMatch(p -> p.path().equals(abs("Pictures/IMG_2041.jpg"))),
          () -> "the deleted picture lived only in the forgotten snapshot: " + result.best());
      assertEquals(2, result.snapshotsSearched());
    }
  }

  @Test
  void restoresOneFoundVersionUnderAChosenName() throws Exception {
    try (Repository r = init()) {
      threeBackups(r);
      FoundPath report = r.find(FindQuery.of("quarterly report 2023 xlsx")).best().get(0);
      FoundVersion first = report.versions().get(0);
      Path target = Files.createDirectories(temp.resolve("recovered"));
      RestoreResult restored = r.restore(RestoreRequest.builder(first.snapshot(), target)
          .include(report.path()).restoreAs("report-first.xlsx").build());
      assertTrue(restored.isComplete(), () -> "errors: " + restored.errors());
      assertEquals(1, restored.files());
      assertArrayEquals("q1 numbers".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target.resolve("report-first.xlsx")));
      try (Stream<Path> all = Files.list(target)) {
        assertEquals(List.of(target.resolve("report-first.xlsx")), all.toList(), "no directories leading to it");
      }
      // A directory comes with its content.
      RestoreResult dir = r.restore(RestoreRequest.builder(report.latest().snapshot(), target)
          .include(abs("Documents/Finance")).restoreAs("finance").build());
      assertTrue(dir.isComplete());
      assertEquals("q1 and q2 numbers", Files.readString(target.resolve("finance/Quarterly Report 2023.xlsx")));

      assertThrows(IllegalArgumentException.class,
          () -> RestoreRequest.builder(first.snapshot(), target).include(report.path()).restoreAs("../escape").build());
      assertThrows(IllegalArgumentException.class,
          () -> RestoreRequest.builder(first.snapshot(), target).restoreAs("x").build());
    }
  }
}
