package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prune that dies in its sweep after deleting packs and before deleting the index segments it replaced.
 * Found by the concurrency simulation (seed 1000846, reproduced about every other replay because segment
 * names are random): the old segment still located a tree in a deleted pack, and when it came before the
 * replacement in the index, every later prune stopped with "tree ... cannot be read; run check, then
 * repair" although the tree had a copy in a pack that exists.
 */
class CrashedPruneTest {
  private static final PruneRequest NOW = PruneRequest.builder().grace(Duration.ZERO).maxUnused(0).build();

  @TempDir Path temp;

  @Test
  void aPruneAfterOneThatDiedMidSweepFinishesTheWork() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    MemoryBlobStore shared = new MemoryBlobStore(clock);
    EngineHooks hooks = new EngineHooks(clock, true, shared, false);
    RepositoryOptions options = new TestRepo(temp).options().threads(1).build();
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(9);
    Files.createDirectories(source.resolve("sub"));
    Files.write(source.resolve("sub/kept"), BackupRestoreTest.randomBytes(random, 50_000));
    Files.write(source.resolve("dropped"), BackupRestoreTest.randomBytes(random, 50_000));
    try (Repository r = Repository.init(options, hooks)) {
      Snapshot first = r.backup(BackupRequest.of(source));
      Files.delete(source.resolve("dropped"));
      // The tree of sub/ is the same: the second snapshot uses the copy in the first one's tree pack.
      Snapshot second = r.backup(BackupRequest.of(source));
      r.forget(List.of(first.id()), false);
      assertTrue(r.prune(NOW).packsRepacked() > 0, "the half used packs are repacked");

      FaultInjectingBlobStore dying = new FaultInjectingBlobStore(shared, FaultInjectingBlobStore.Config.builder(1)
          .failPermanentlyUnder("index/", FaultInjectingBlobStore.Operation.DELETE).build());
      try (Repository crashing = Repository.open(options, new EngineHooks(clock, true, dying, false))) {
        assertThrows(IOException.class, () -> crashing.prune(NOW), "dies before deleting the replaced segments");
      }
      assertTrue(!staleSegments(r.engine()).isEmpty(), "a replaced segment still lists a deleted pack");
      putFirst(r.engine());

      r.prune(NOW);
      Path target = temp.resolve("target");
      assertTrue(r.restore(second.id(), target).isComplete());
      assertSameTree(source, restored(target, source));
      assertEquals(List.of(), staleSegments(r.engine()), "the next prune dropped the stale entries");
    }
  }

  /** Segments that list a pack missing from storage. */
  private static List<BlobName> staleSegments(Engine engine) throws IOException {
    var present = engine.packsInStorage().keySet();
    List<BlobName> stale = new ArrayList<>();
    for (BlobName name : engine.indexSegmentNames()) {
      if (engine.readIndexSegment(name).packs().stream().anyMatch(p -> !present.contains(p.pack().id()))) {
        stale.add(name);
      }
    }
    return stale;
  }

  /**
   * Seals segments again (a new random nonce gives a new name) until every stale one sorts before every
   * other, so that the index meets the entries of the deleted packs first: the case that stopped prunes.
   * Stale names are drawn until they start with 0-7, the others until they start with 8-f.
   */
  private static void putFirst(Engine engine) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      List<BlobName> stale = staleSegments(engine);
      boolean done = true;
      for (BlobName name : engine.indexSegmentNames()) {
        boolean low = name.value().charAt("index/".length()) < '8';
        if (low != stale.contains(name)) {
          done = false;
          reseal(engine, name);
        }
      }
      if (done) {
        return;
      }
    }
    throw new AssertionError("could not give the stale segments names that sort first in 200 rounds");
  }

  private static void reseal(Engine engine, BlobName name) throws IOException {
    IndexSegment segment = engine.readIndexSegment(name);
    engine.writeIndexSegments(segment.packs());
    engine.store().delete(name);
  }
}
