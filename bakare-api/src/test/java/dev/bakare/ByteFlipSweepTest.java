package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.KeyFile;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import dev.bakare.internal.tree.TreeReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flips one byte (seeded positions) in every blob that is not pack data: config, the key copy in
 * {@code keys/}, index segments, snapshots and tree packs; and deletes each index segment. After each
 * flip, check names exactly the damaged object (and nothing unrelated), and every snapshot that does not
 * depend on the damaged bytes restores identically; damage to the index never costs a snapshot (it is
 * rebuilt from pack headers). Damage to the config or the key copy fails open with one error and writes
 * nothing. The byte is restored after each case, so the cases are independent.
 */
class ByteFlipSweepTest {
  private static final char[] PASSPHRASE = "sweep passphrase".toCharArray();
  private static final int POSITIONS_PER_BLOB = 8;

  @TempDir Path temp;
  private TestRepo repo;
  private Path plainKey;
  /** Snapshot id to the directory it backed up. */
  private final Map<SnapshotId, List<Path>> sources = new LinkedHashMap<>();
  /** Snapshot id to the tree chunks it uses. */
  private final Map<SnapshotId, Set<ObjectId>> treesOf = new HashMap<>();
  private int cases;

  @Test
  void everyFlippedByteIsReportedAsItsObjectAndCostsOnlyWhatDependsOnIt() throws IOException {
    long start = System.nanoTime();
    Random random = new Random(20261126);
    setUp(random);
    Map<String, Path> treePacks = treePacks();
    assertTrue(treePacks.size() >= 2, "the backups wrote tree packs of their own: " + treePacks.keySet());

    for (Path segment : DamageTest.blobsUnder(repo.location.resolve("index"))) {
      for (long position : positions(random, segment)) {
        flipped(segment, position, () -> assertIndexDamageHeals(name(segment)));
      }
      byte[] bytes = Files.readAllBytes(segment);
      Files.delete(segment);
      cases++;
      assertDeletedSegmentHeals();
      Files.write(segment, bytes);
    }
    for (Path snapshot : DamageTest.blobsUnder(repo.location.resolve("snapshots"))) {
      SnapshotId damaged = new SnapshotId(snapshot.getFileName().toString());
      for (long position : positions(random, snapshot)) {
        flipped(snapshot, position, () -> assertOnlyBlamed(name(snapshot), Set.of(), Set.of(damaged), CheckRequest.structure()));
      }
    }
    for (Map.Entry<String, Path> pack : treePacks.entrySet()) {
      Path file = pack.getValue();
      for (long position : positions(random, file)) {
        ObjectId tree = treeAt(pack.getKey(), position);
        Set<SnapshotId> dependents = new HashSet<>();
        treesOf.forEach((id, trees) -> {
          if (tree != null && trees.contains(tree)) {
            dependents.add(id);
          }
        });
        Set<String> related = new HashSet<>();
        chunksIn(pack.getKey()).forEach(id -> {
          related.add("chunk " + id.shortHex());
          related.add("tree " + id.shortHex());
        });
        flipped(file, position, () -> assertOnlyBlamed(pack.getKey(), related, dependents, CheckRequest.readAllData()));
      }
    }
    Path config = repo.location.resolve("config");
    for (long position : positions(random, config, 16)) {
      flipped(config, position, () -> assertOpenFailsAndWritesNothing("config", false));
    }
    for (Path key : DamageTest.blobsUnder(repo.location.resolve("keys"))) {
      for (long position : positions(random, key, 3)) {
        flipped(key, position, () -> {
          assertOnlyBlamed(name(key), Set.of(), Set.of(), CheckRequest.structure());
          assertOpenFailsAndWritesNothing(name(key), true);
        });
      }
    }
    System.out.printf("byte-flip sweep: %d cases over %d index segments, %d snapshots, %d tree packs, config and"
        + " %d key copies in %.1f s%n", cases, DamageTest.blobsUnder(repo.location.resolve("index")).size(), sources.size(),
        treePacks.size(), DamageTest.blobsUnder(repo.location.resolve("keys")).size(), (System.nanoTime() - start) / 1e9);
  }

  private void setUp(Random random) throws IOException {
    repo = new TestRepo(temp);
    Path one = Files.createDirectories(temp.resolve("src/one/sub"));
    Path two = Files.createDirectories(temp.resolve("src/two"));
    for (int i = 0; i < 6; i++) {
      Files.write(one.resolve("f" + i), BackupRestoreTest.randomBytes(random, 1000 + random.nextInt(40_000)));
      Files.write(two.resolve("g" + i), BackupRestoreTest.randomBytes(random, 1000 + random.nextInt(40_000)));
    }
    Files.writeString(one.getParent().resolve("top.txt"), "top\n");
    try (Repository r = Repository.init(repo.options().passphrase(PASSPHRASE).build())) {
      plainKey = temp.resolve("plain.key");
      Files.write(plainKey, KeyFile.create(r.engine().keys(), r.engine().config().id(), null).encode());
      sources.put(r.backup(BackupRequest.of(one.getParent())).id(), List.of(one.getParent()));
      sources.put(r.backup(BackupRequest.of(two)).id(), List.of(two));
      // Both again: new trees for the directories above them (a tree pack of its own), and the unchanged
      // trees of "one" and "two" shared with the first two snapshots.
      sources.put(r.backup(BackupRequest.of(one.getParent(), two)).id(), List.of(one.getParent(), two));
      TreeReader trees = new TreeReader(r.engine().reader());
      for (SnapshotId snapshot : sources.keySet()) {
        treesOf.put(snapshot, trees(trees, r.engine().readSnapshot(ObjectId.fromHex(snapshot.hex())).detail().rootTree()));
      }
    }
  }

  private static Set<ObjectId> trees(TreeReader reader, ObjectId root) throws IOException {
    Set<ObjectId> seen = new HashSet<>();
    Deque<ObjectId> pending = new ArrayDeque<>(List.of(root));
    while (!pending.isEmpty()) {
      ObjectId id = pending.pop();
      if (seen.add(id)) {
        for (Node node : reader.read(id).nodes()) {
          if (node.type() == NodeType.DIRECTORY && node.subtree() != null) {
            pending.push(node.subtree());
          }
        }
      }
    }
    return seen;
  }

  private Repository open() throws IOException {
    return Repository.open(repo.options().keyFile(plainKey).build());
  }

  /** Packs holding tree chunks, by blob name, found through the index. */
  private Map<String, Path> treePacks() throws IOException {
    Map<String, Path> packs = new TreeMap<>();
    try (Repository r = open()) {
      r.engine().index().forEach((id, location) -> {
        if (location.type() == ChunkType.TREE) {
          String hex = location.pack().id().hex();
          packs.put("data/" + hex.substring(0, 2) + "/" + hex, repo.location.resolve("data").resolve(hex.substring(0, 2)).resolve(hex));
        }
      });
    }
    return packs;
  }

  private List<ObjectId> chunksIn(String packName) throws IOException {
    List<ObjectId> chunks = new ArrayList<>();
    try (Repository r = open()) {
      r.engine().index().forEach((id, location) -> {
        if (packName.endsWith(location.pack().id().hex())) {
          chunks.add(id);
        }
      });
    }
    return chunks;
  }

  /** The tree chunk whose sealed bytes hold {@code position}, or null for the pack's header or trailer. */
  private ObjectId treeAt(String packName, long position) throws IOException {
    ObjectId[] found = {null};
    try (Repository r = open()) {
      ChunkIndex index = r.engine().index();
      index.forEach((id, location) -> {
        if (packName.endsWith(location.pack().id().hex()) && position >= location.offset()
            && position < location.offset() + location.storedLength()) {
          found[0] = id;
        }
      });
    }
    return found[0];
  }

  private static List<Long> positions(Random random, Path file) throws IOException {
    return positions(random, file, POSITIONS_PER_BLOB);
  }

  private static List<Long> positions(Random random, Path file, int count) throws IOException {
    long size = Files.size(file);
    List<Long> positions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      positions.add((long) random.nextInt((int) size));
    }
    return positions;
  }

  private String name(Path blob) {
    return repo.location.relativize(blob).toString();
  }

  @FunctionalInterface
  private interface Case {
    void run() throws IOException;
  }

  private void flipped(Path file, long position, Case check) throws IOException {
    byte[] original = Files.readAllBytes(file);
    byte[] damaged = original.clone();
    damaged[(int) position] ^= (byte) (1 + new Random(position).nextInt(255));
    Files.write(file, damaged);
    cases++;
    try {
      check.run();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(name(file) + " with byte " + position + " of " + original.length + " flipped: "
          + e.getMessage(), e);
    } finally {
      Files.write(file, original);
    }
  }

  private void assertIndexDamageHeals(String segment) throws IOException {
    try (Repository r = open()) {
      CheckResult check = r.check(CheckRequest.structure());
      assertEquals(List.of(segment), check.problems().stream().map(CheckResult.Problem::object).toList(),
          check.problems().toString());
      assertRestores(r, Set.of());
    }
  }

  /** A lost segment cannot be named; check notes the packs no segment lists, and nothing is lost. */
  private void assertDeletedSegmentHeals() throws IOException {
    try (Repository r = open()) {
      CheckResult check = r.check(CheckRequest.structure());
      assertTrue(check.isClean(), check.problems().toString());
      assertTrue(check.notes().stream().anyMatch(n -> n.contains("listed in no readable index segment")),
          check.notes().toString());
      assertRestores(r, Set.of());
    }
  }

  private void assertOnlyBlamed(String object, Set<String> related, Set<SnapshotId> dependents, CheckRequest request)
      throws IOException {
    try (Repository r = open()) {
      CheckResult check = r.check(request);
      assertFalse(check.isClean(), "check found nothing");
      assertTrue(check.problems().stream().anyMatch(p -> p.object().equals(object)), check.problems().toString());
      for (CheckResult.Problem problem : check.problems()) {
        assertTrue(problem.object().equals(object) || related.contains(problem.object()),
            "unrelated object blamed: " + problem + " (all: " + check.problems() + ")");
      }
      assertRestores(r, dependents);
    }
  }

  /** Every snapshot but {@code dependents} restores identically; dependents fail, never silently. */
  private void assertRestores(Repository r, Set<SnapshotId> dependents) throws IOException {
    for (Map.Entry<SnapshotId, List<Path>> snapshot : sources.entrySet()) {
      boolean readable = r.snapshots().stream().anyMatch(s -> s.id().equals(snapshot.getKey()));
      Path target = Files.createTempDirectory(temp, "restore");
      if (dependents.contains(snapshot.getKey())) {
        try {
          RestoreResult result = r.restore(snapshot.getKey(), target);
          assertFalse(result.isComplete(), "restore of damaged snapshot " + snapshot.getKey() + " reported no error");
        } catch (IntegrityException expected) {
          // The damaged object stops the restore, naming it.
        }
        continue;
      }
      assertTrue(readable, "snapshot " + snapshot.getKey() + " no longer listed");
      RestoreResult result = r.restore(snapshot.getKey(), target);
      assertTrue(result.isComplete(), result.errors().toString());
      for (Path source : snapshot.getValue()) {
        assertSameTree(source, restored(target, source));
      }
    }
  }

  private void assertOpenFailsAndWritesNothing(String object, boolean withPassphraseOnly) throws IOException {
    Map<String, Long> before = listing();
    RepositoryOptions options = withPassphraseOnly
        ? repo.options().configDirectory(temp.resolve("empty-config")).passphrase(PASSPHRASE).build()
        : repo.options().keyFile(plainKey).build();
    try (Repository r = Repository.open(options)) {
      fail("opened with damaged " + object);
    } catch (RepositoryException e) {
      assertTrue(e.getMessage().contains(object), "the error names " + object + ": " + e.getMessage());
    }
    assertEquals(before, listing(), "nothing is written");
  }

  private Map<String, Long> listing() throws IOException {
    Map<String, Long> files = new TreeMap<>();
    for (Path p : repo.blobs()) {
      files.put(name(p), Files.getLastModifiedTime(p).toMillis() ^ Files.size(p));
    }
    return files;
  }
}
