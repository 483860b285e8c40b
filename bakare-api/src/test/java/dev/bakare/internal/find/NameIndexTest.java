package dev.bakare.internal.find;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bakare.FindQuery;
import dev.bakare.FoundPath;
import dev.bakare.FoundVersion;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithms;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The name index's files: what a search finds survives the cache; every kind of damage is either caught
 * or harmless, never a crash; decoders of the plaintext and of trees reject garbage with {@link
 * CorruptDataException} only; compaction keeps exactly the live snapshots.
 */
class NameIndexTest {
  private static final FindQuery EVERYTHING = FindQuery.builder("/").mode(FindQuery.Mode.REGEX).build();

  @TempDir Path temp;

  private static Aead aead(int seed) {
    byte[] key = new byte[32];
    new Random(seed).nextBytes(key);
    return AeadAlgorithms.byName("aes-256-gcm").orElseThrow().withKey(key);
  }

  /** Snapshots of a small home directory: each edits one document and adds a photo. */
  private static List<IndexFixture.Snapshot> history(int count) {
    List<IndexFixture.Snapshot> snapshots = new ArrayList<>();
    Map<String, Long> files = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      files.put("/home/ana/Pictures/IMG_" + (2000 + i) + ".jpg", 1000L + i);
    }
    files.put("/home/ana/Documents/Quarterly Report 2023.xlsx", 1L);
    files.put("/home/ana/Documents/notes.txt", 2L);
    files.put("/home/ana/Documents/tax/2023/return.pdf", 3L);
    for (int s = 0; s < count; s++) {
      snapshots.add(new IndexFixture.Snapshot("snapshot " + s, Instant.parse("2024-01-01T00:00:00Z").plusSeconds(86400L * s),
          s % 2 == 0 ? "laptop" : "desktop", Map.copyOf(files)));
      files.put("/home/ana/Documents/Quarterly Report 2023.xlsx", 10L + s);
      files.put("/home/ana/Pictures/IMG_" + (3000 + s) + ".jpg", 5000L + s);
    }
    return snapshots;
  }

  /** Writes the history's index into a cache directory and returns it, loaded again from there. */
  private NameIndex cached(Path root, List<IndexFixture.Snapshot> snapshots, boolean fileEach) throws Exception {
    try (NameCache cache = NameCache.open(root, "0123456789abcdef0123456789abcdef", aead(1));
        NameIndex index = new NameIndex(0)) {
      new IndexFixture().index(index, snapshots, (file, encoded) -> cache.write(encoded), fileEach);
    }
    try (NameCache cache = NameCache.open(root, "0123456789abcdef0123456789abcdef", aead(1))) {
      List<String> warnings = new ArrayList<>();
      NameIndex index = cache.load(warnings);
      assertEquals(List.of(), warnings);
      return index;
    }
  }

  private static List<String> describe(List<FoundPath> found) {
    return found.stream().map(p -> p.path() + " " + p.versions().stream()
        .map(v -> v.snapshotTime() + ":" + v.size() + ":" + v.change()).toList()).toList();
  }

  @Test
  void filesAreSizedByTheMemoryBudget() throws Exception {
    assertEquals(NameFileWriter.MIN_VERSIONS_PER_FILE, NameFileWriter.versionsPerFile(1 << 20), "a tiny budget");
    assertEquals(NameFileWriter.MAX_VERSIONS_PER_FILE, NameFileWriter.versionsPerFile(1L << 40), "a huge one");
    assertEquals(838_860, NameFileWriter.versionsPerFile(512L << 20), "the default 512 MiB: half of it");

    // A writer allowed 4 versions a file: trees of 3 new entries each end a file after every second tree.
    List<NameFileWriter.Encoded> written = new ArrayList<>();
    Random random = new Random(4);
    try (NameIndex index = new NameIndex(1);
        NameFileWriter writer = new NameFileWriter(index, (file, encoded) -> written.add(encoded), 4)) {
      for (int t = 0; t < 3; t++) {
        for (int i = 0; i < 3; i++) {
          byte[] name = ("file-" + t + "-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
          writer.entry(name, 0, name.length, 1, 100, 1_700_000_000L, random.nextLong(), -1);
        }
        byte[] id = new byte[ObjectId.LENGTH];
        random.nextBytes(id);
        writer.endTree(ObjectId.wrap(id));
        writer.flushIfFull();
      }
      writer.finish();
      assertEquals(2, index.files().size(), "a file of two trees (6 versions), then one of the last tree");
      assertEquals(2, written.size());
    }
  }

  @Test
  void whatTheSearchFindsSurvivesTheCache() throws Exception {
    List<IndexFixture.Snapshot> history = history(5);
    List<FoundPath> expected;
    try (NameIndex memory = new NameIndex(0)) {
      new IndexFixture().index(memory, history, (file, encoded) -> { }, false);
      expected = IndexFixture.search(memory, history, EVERYTHING);
    }
    try (NameIndex loaded = cached(temp.resolve("cache"), history, true)) {
      assertEquals(5, loaded.files().size(), "a file per snapshot");
      assertEquals(describe(expected), describe(IndexFixture.search(loaded, history, EVERYTHING)));
    }
    assertEquals(40 + 3 + 4 + 6, expected.size(), "files, photos added later, directories");
    FoundPath report = expected.stream().filter(p -> p.name().startsWith("Quarterly")).findFirst().orElseThrow();
    assertEquals(List.of(FoundVersion.Change.FIRST, FoundVersion.Change.CHANGED, FoundVersion.Change.CHANGED,
        FoundVersion.Change.CHANGED, FoundVersion.Change.CHANGED), report.versions().stream().map(FoundVersion::change).toList());
    FoundPath notes = expected.stream().filter(p -> p.name().equals("notes.txt")).findFirst().orElseThrow();
    assertTrue(notes.versions().stream().skip(1).allMatch(v -> v.change() == FoundVersion.Change.UNCHANGED));
    // Paths arrive grouped by name, names in ascending order.
    List<String> names = expected.stream().map(FoundPath::name).toList();
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);
    assertEquals(sorted, names);
  }

  @Test
  void unchangedEntriesOfAChangedDirectoryShareTheirVersion() throws Exception {
    try (NameIndex index = new NameIndex(0)) {
      new IndexFixture().index(index, history(5), (file, encoded) -> { }, false);
      NameFile file = index.files().get(0);
      PostingCursor postings = new PostingCursor();
      int notes = Arrays.binarySearch(names(file), "notes.txt");
      postings.open(file, notes);
      assertEquals(1, postings.versions, "one version, in the Documents tree of every snapshot");
      postings.nextVersion();
      assertEquals(5, postings.trees);
    }
  }

  private static String[] names(NameFile file) {
    String[] names = new String[file.nameCount()];
    for (int i = 0; i < names.length; i++) {
      names[i] = file.name(i);
    }
    return names;
  }

  @Test
  void everyDamageToAFileIsCaughtOrHarmless() throws Exception {
    List<IndexFixture.Snapshot> history = history(3);
    Path root = temp.resolve("original");
    List<String> expected;
    try (NameIndex index = cached(root, history, false)) {
      expected = describe(IndexFixture.search(index, history, EVERYTHING));
    }
    Path directory = root.resolve("0123456789abcdef0123456789abcdef/names");
    Path file = directory.resolve("0-0.names");
    byte[] original = Files.readAllBytes(file);
    Random random = new Random(7);
    List<byte[]> damaged = new ArrayList<>();
    for (int at = 0; at < original.length; at += Math.max(1, original.length / 300)) {
      byte[] flipped = original.clone();
      flipped[at] ^= (byte) (1 << random.nextInt(8));
      damaged.add(flipped);
    }
    for (int length : new int[] {0, 1, 4, 8, 9, 40, original.length / 2, original.length - 1}) {
      damaged.add(Arrays.copyOf(original, length));
    }
    byte[] longer = Arrays.copyOf(original, original.length + 3);
    damaged.add(longer);
    byte[] garbage = new byte[original.length];
    random.nextBytes(garbage);
    damaged.add(garbage);
    int caughtAtLoad = 0;
    int caughtLater = 0;
    for (byte[] bytes : damaged) {
      Files.write(file, bytes);
      try (NameCache cache = NameCache.open(root, "0123456789abcdef0123456789abcdef", aead(1))) {
        List<String> warnings = new ArrayList<>();
        try (NameIndex index = cache.load(warnings)) {
          if (index.files().isEmpty()) {
            caughtAtLoad++;
            assertTrue(warnings.get(0).contains("damaged"), warnings::toString);
            assertFalse(Files.exists(file), "a damaged file is deleted");
          } else {
            try {
              index.ordinals();
              assertEquals(expected, describe(IndexFixture.search(index, history, EVERYTHING)));
              fail("damage went unnoticed");
            } catch (CorruptDataException e) {
              caughtLater++;
            }
          }
        }
      }
    }
    assertEquals(damaged.size(), caughtAtLoad + caughtLater);
    assertTrue(caughtLater > 0, "some damage lies in blocks read only on demand");
  }

  @Test
  void theKeyOfAnotherRepositoryOpensNothing() throws Exception {
    Path root = temp.resolve("cache");
    cached(root, history(2), false).close();
    try (NameCache cache = NameCache.open(root, "0123456789abcdef0123456789abcdef", aead(2))) {
      List<String> warnings = new ArrayList<>();
      try (NameIndex index = cache.load(warnings)) {
        assertTrue(index.files().isEmpty());
        assertTrue(warnings.get(0).contains("authentication failed"), warnings::toString);
      }
    }
  }

  @Test
  void headDecoderRejectsGarbageWithCorruptDataOnly() throws Exception {
    List<NameFileWriter.Encoded> files = new ArrayList<>();
    try (NameIndex index = new NameIndex(0)) {
      new IndexFixture().index(index, history(4), (file, encoded) -> files.add(encoded), false);
    }
    NameFileWriter.Encoded encoded = files.get(0);
    Random random = new Random(11);
    int accepted = 0;
    for (int trial = 0; trial < 1500; trial++) {
      byte[] head = mutate(encoded.head(), random);
      byte[][] blocks = encoded.blocks().clone();
      if (trial % 2 == 1) {
        int b = random.nextInt(blocks.length);
        blocks[b] = mutate(blocks[b], random);
      }
      try (NameIndex index = new NameIndex(0)) {
        index.add(NameFile.open(head, NameFile.inMemory(blocks, encoded.ids()), 0, 0, 0));
        accepted++;
        IndexFixture.search(index, List.of(), EVERYTHING);
        for (NameFile.IndexedSnapshot s : index.files().get(0).snapshots) {
          searchAll(index, s);
        }
      } catch (CorruptDataException e) {
        // Rejected, as it should be.
      }
    }
    assertTrue(accepted < 1500, "most garbage is rejected");
  }

  /** Searches one snapshot of a possibly odd but accepted index, reading every block. */
  private static void searchAll(NameIndex index, NameFile.IndexedSnapshot snapshot) throws Exception {
    new NameSearch(index, List.of(snapshot), Patterns.matcher(FindQuery.Mode.REGEX, "."), EVERYTHING, p -> { }, null).run();
  }

  private static byte[] mutate(byte[] bytes, Random random) {
    byte[] out = bytes.clone();
    switch (random.nextInt(4)) {
      case 0 -> out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> out[random.nextInt(out.length)] = (byte) random.nextInt(256);
      case 2 -> {
        return Arrays.copyOf(out, random.nextInt(out.length));
      }
      default -> {
        int at = random.nextInt(out.length);
        out[at] = (byte) 0xFF;
        if (at + 1 < out.length) {
          out[at + 1] = (byte) 0xFF;
        }
      }
    }
    return out;
  }

  @Test
  void treeScannerAgreesWithTheTreeDecoderAndRejectsGarbage() throws Exception {
    IndexFixture fixture = new IndexFixture();
    for (IndexFixture.Snapshot s : history(2)) {
      fixture.encode(s);
    }
    Random random = new Random(3);
    int rejected = 0;
    for (byte[] tree : fixture.trees().values()) {
      check(tree);
      for (int trial = 0; trial < 300; trial++) {
        if (!check(mutate(tree, random))) {
          rejected++;
        }
      }
    }
    assertTrue(rejected > 0);
  }

  /** Scans and decodes a tree; both accept it or both reject it, and agree on its entries. Returns whether accepted. */
  private static boolean check(byte[] bytes) {
    Tree decoded;
    try {
      decoded = Tree.decode(bytes);
    } catch (CorruptDataException e) {
      assertThrows(CorruptDataException.class, () -> ScannedTree.scan(bytes));
      return false;
    }
    ScannedTree scanned;
    try {
      scanned = ScannedTree.scan(bytes);
    } catch (CorruptDataException e) {
      throw new AssertionError("the scanner rejects a tree the decoder accepts: " + e.getMessage(), e);
    }
    List<String> expected = new ArrayList<>();
    for (var node : decoded.nodes()) {
      if (dev.bakare.internal.restore.SafeNames.problem(node.name()) == null) {
        expected.add(node.name() + " " + node.type().code() + " " + (node.type() == dev.bakare.internal.tree.NodeType.FILE
            ? node.size() : 0) + " " + node.mtime().getEpochSecond() + " " + node.subtree());
      }
    }
    List<String> actual = new ArrayList<>();
    for (int i = 0; i < scanned.count; i++) {
      actual.add(new String(scanned.bytes, scanned.nameOffsets[i], scanned.nameLengths[i], java.nio.charset.StandardCharsets.UTF_8)
          + " " + (scanned.kinds[i] & 7) + " " + scanned.sizes[i] + " " + scanned.mtimes[i] + " " + scanned.subtrees[i]);
    }
    assertEquals(expected, actual);
    return true;
  }

  @Test
  void compactionKeepsTheLiveSnapshotsInOneFile() throws Exception {
    List<IndexFixture.Snapshot> history = history(20);
    try (NameIndex index = new NameIndex(0)) {
      new IndexFixture().index(index, history, (file, encoded) -> { }, true);
      assertEquals(20, index.files().size());
      Set<ObjectId> stored = new HashSet<>();
      List<IndexFixture.Snapshot> kept = history.subList(5, 20);
      kept.forEach(s -> stored.add(s.id()));
      assertTrue(Compaction.worthwhile(index, stored));
      List<NameFileWriter.Encoded> written = new ArrayList<>();
      try (NameIndex compacted = Compaction.run(index, stored, (file, encoded) -> written.add(encoded),
          NameFileWriter.MAX_VERSIONS_PER_FILE)) {
        assertEquals(1, compacted.files().size());
        assertEquals(1, written.size());
        assertEquals(1, compacted.generation());
        assertTrue(compacted.treeCount() < index.treeCount(), "the forgotten snapshots' own trees are gone");
        for (IndexFixture.Snapshot s : history.subList(0, 5)) {
          assertEquals(null, compacted.snapshot(s.id()));
        }
        assertEquals(describe(IndexFixture.search(index, kept, EVERYTHING)),
            describe(IndexFixture.search(compacted, kept, EVERYTHING)));
        assertFalse(Compaction.worthwhile(compacted, stored));
      }
    }
  }

  @Test
  void cacheFilesAreOwnerOnlyAndLeftoversAreCleared() throws Exception {
    Path root = temp.resolve("cache");
    cached(root, history(2), false).close();
    Path directory = root.resolve("0123456789abcdef0123456789abcdef/names");
    Files.writeString(directory.resolve(".0-7.names.abcdef.tmp"), "half written");
    Files.writeString(directory.resolve("3-0.names.bak"), "not ours");
    try (NameCache cache = NameCache.open(root, "0123456789abcdef0123456789abcdef", aead(1));
        NameIndex index = cache.load(new ArrayList<>())) {
      assertEquals(1, index.files().size());
    }
    try (Stream<Path> list = Files.list(directory)) {
      List<String> names = list.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(List.of("0-0.names", "3-0.names.bak", "lock"), names);
    }
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(directory.resolve("0-0.names"))));
  }

  @Test
  void aSearchResumedAfterDamageHandsOverEachMatchOnce() throws Exception {
    Map<String, Long> files = new LinkedHashMap<>();
    for (int i = 0; i < 15_000; i++) {
      files.put(String.format(java.util.Locale.ROOT, "/photos/%02d/IMG_%05d.jpg", i % 50, i), (long) i);
    }
    List<IndexFixture.Snapshot> history = List.of(
        new IndexFixture.Snapshot("big", Instant.parse("2024-01-01T00:00:00Z"), "laptop", files));
    List<NameFileWriter.Encoded> written = new ArrayList<>();
    List<FoundPath> expected;
    try (NameIndex index = new NameIndex(0)) {
      new IndexFixture().index(index, history, (file, encoded) -> written.add(encoded), false);
      expected = IndexFixture.search(index, history, EVERYTHING);
    }
    NameFileWriter.Encoded encoded = written.get(0);
    assertTrue(encoded.blocks().length >= 3, "the postings span several blocks");
    byte[][] damagedBlocks = encoded.blocks().clone();
    damagedBlocks[1] = new byte[damagedBlocks[1].length];
    List<FoundPath> delivered = new ArrayList<>();
    String resumeAfter;
    try (NameIndex damaged = new NameIndex(0)) {
      damaged.add(NameFile.open(encoded.head(), NameFile.inMemory(damagedBlocks, encoded.ids()), 0, 0, 0));
      NameSearch search = new NameSearch(damaged, List.of(damaged.snapshot(history.get(0).id())),
          Patterns.matcher(EVERYTHING.mode(), EVERYTHING.pattern()), EVERYTHING, delivered::add, null);
      assertThrows(CorruptDataException.class, search::run);
      resumeAfter = search.lastDelivered();
    }
    assertFalse(delivered.isEmpty(), "matches of the first block were handed over before the damage showed");
    try (NameIndex rebuilt = new NameIndex(0)) {
      rebuilt.add(NameFile.open(encoded.head(), NameFile.inMemory(encoded.blocks(), encoded.ids()), 0, 0, 0));
      new NameSearch(rebuilt, List.of(rebuilt.snapshot(history.get(0).id())),
          Patterns.matcher(EVERYTHING.mode(), EVERYTHING.pattern()), EVERYTHING, delivered::add, resumeAfter).run();
    }
    assertEquals(describe(expected), describe(delivered));
  }

  @Test
  void theSearchStopsAtTheDepthEveryWalkStopsAt() throws Exception {
    String deep = "/d".repeat(dev.bakare.internal.tree.Tree.MAX_DEPTH + 50) + "/deep.txt";
    List<IndexFixture.Snapshot> history = List.of(new IndexFixture.Snapshot("deep", Instant.parse("2024-01-01T00:00:00Z"),
        "laptop", Map.of(deep, 1L, "/shallow.txt", 2L)));
    try (NameIndex index = new NameIndex(0)) {
      new IndexFixture().index(index, history, (file, encoded) -> { }, false);
      List<String> found = IndexFixture.search(index, history, FindQuery.builder("txt$").build())
          .stream().map(FoundPath::path).toList();
      assertEquals(List.of("/shallow.txt"), found);
    }
  }
}
