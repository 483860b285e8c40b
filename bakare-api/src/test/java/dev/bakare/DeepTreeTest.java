package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.Compression;
import dev.bakare.internal.content.FinishedPack;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.content.PackBuilder;
import dev.bakare.internal.content.PackRef;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trees nest as deep as their snapshot says, and every walk (restore, check, list, repair) recurses: a
 * snapshot written with the full key can nest 100,000 directories. Walks stop at {@link Tree#MAX_DEPTH}
 * with an error naming the place, instead of overflowing the stack; nesting up to the bound still works.
 */
class DeepTreeTest {
  @TempDir Path temp;

  /**
   * Writes a snapshot whose root holds {@code depth} nested directories "d", the deepest holding a file.
   * Packs are built directly (one data pack, one tree pack): a hundred thousand trees through the backup's
   * writer take too long for a unit test.
   */
  private static SnapshotId forge(Engine engine, int depth) throws IOException {
    Instant t = Instant.ofEpochSecond(1_700_000_000L);
    byte[] content = "at the bottom\n".getBytes(StandardCharsets.UTF_8);
    ObjectId chunk = engine.hasher().hash(content);
    PackBuilder data = new PackBuilder(engine.sealing(), ChunkType.DATA, 4096, 4096);
    data.add(chunk, Compression.NONE, content, 0, content.length, content.length);
    Node file = new Node("file", NodeType.FILE, 0644, 0, 0, "", "", t, t, 1, 1, 1, content.length, List.of(chunk),
        null, "", "");
    PackBuilder trees = new PackBuilder(engine.sealing(), ChunkType.TREE, 256 * depth + 4096, 256 * depth + 4096);
    ObjectId tree = add(engine, trees, new Tree(List.of(file)));
    for (int level = 0; level < depth; level++) {
      tree = add(engine, trees, new Tree(List.of(
          new Node("d", NodeType.DIRECTORY, 0755, 0, 0, "", "", t, t, 2, 1, 2, 0, List.of(), tree, "", ""))));
    }
    List<IndexSegment.IndexedPack> packs = new ArrayList<>();
    for (FinishedPack pack : List.of(data.finish(), trees.finish())) {
      engine.putContentAddressed(Layout.pack(pack.id()), pack.contents());
      packs.add(new IndexSegment.IndexedPack(new PackRef(pack.id(), pack.ephemeralPublic()), pack.entries()));
    }
    engine.writeIndex(packs);
    SnapshotManifest manifest = new SnapshotManifest(
        new SnapshotManifest.Summary(t, "host", "user", List.of(), null, new SnapshotStats(1, 0, depth, 14, 14, 14, 0)),
        new SnapshotManifest.Detail(List.of("/d"), tree, List.of()));
    return new SnapshotId(engine.writeSnapshot(manifest).hex());
  }

  private static ObjectId add(Engine engine, PackBuilder pack, Tree tree) throws IOException {
    byte[] encoded = tree.encode();
    ObjectId id = engine.hasher().hash(encoded);
    pack.add(id, Compression.NONE, encoded, 0, encoded.length, encoded.length);
    return id;
  }

  @Test
  void a100000LevelSnapshotFailsCleanlyEverywhere() throws IOException {
    TestRepo repo = new TestRepo(temp);
    try (Repository r = repo.init()) {
      SnapshotId deep = forge(r.engine(), 100_000);

      CheckResult check = r.check(CheckRequest.structure());
      assertEquals(1, check.problems().size(), check.problems().toString());
      assertTrue(check.problems().get(0).description().contains("nested deeper than " + Tree.MAX_DEPTH),
          check.problems().toString());

      Path target = Files.createDirectories(temp.resolve("target"));
      RestoreResult restore = r.restore(deep, target);
      assertFalse(restore.isComplete());
      assertTrue(restore.errors().stream().anyMatch(e -> e.reason().contains("nested deeper than")), restore.errors().toString());
      assertEquals(0, restore.files());

      IntegrityException listing = assertThrows(IntegrityException.class, () -> r.list(deep, "/", e -> { }));
      assertTrue(listing.problem().contains("nested deeper than"), listing.getMessage());

      SnapshotRepairResult repair = r.repairSnapshots(false, false);
      assertEquals(1, repair.repaired().size());
      assertTrue(repair.repaired().get(0).lost().stream().anyMatch(e -> e.reason().contains("nested deeper than")));
    }
  }

  /** Restore walks with an explicit stack; check, list and repair recurse (on a large stack, DeepWalk). */
  @Test
  void nestingUpToTheBoundIsWalkedWithoutOverflowingTheStack() throws IOException {
    TestRepo repo = new TestRepo(temp);
    try (Repository r = repo.init()) {
      // The root tree is at depth 1 and the leaf holding the file at MAX_DEPTH.
      SnapshotId deep = forge(r.engine(), Tree.MAX_DEPTH - 1);
      CheckResult check = r.check(CheckRequest.structure());
      assertTrue(check.isClean(), check.problems().toString());
      AtomicLong entries = new AtomicLong();
      r.list(deep, "/", e -> entries.incrementAndGet());
      assertEquals(Tree.MAX_DEPTH, entries.get());
      assertTrue(r.repairSnapshots(false, false).repaired().isEmpty());
    }
  }
}
