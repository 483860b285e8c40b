package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.ObjectId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkIndexTest {
  private final ObjectId chunk = ObjectId.wrap(Crypto.randomBytes(32));
  private final PackRef gone = pack();
  private final PackRef tombstoned = pack();
  private final PackRef live = pack();

  private static PackRef pack() {
    return new PackRef(ObjectId.wrap(Crypto.randomBytes(32)), Crypto.randomBytes(32));
  }

  private void add(ChunkIndex index, PackRef pack) {
    index.add(new IndexSegment.IndexedPack(pack,
        List.of(new PackEntry(chunk, ChunkType.TREE, Compression.NONE, 0, 116, 100))));
  }

  @Test
  void findPrefersACopyInAnUntombstonedPresentPack() {
    ChunkIndex index = new ChunkIndex();
    add(index, gone);
    add(index, tombstoned);
    add(index, live);
    ChunkIndex view = index.withPackStates(Set.of(tombstoned.id()), Set.of(tombstoned.id(), live.id()));
    assertEquals(live.id(), view.find(chunk).orElseThrow().pack().id());
    assertTrue(view.containsLive(chunk));
  }

  /**
   * Found by the concurrency simulation (seed 1000846): a chunk indexed first in a pack that is gone (the
   * segment a crashed sweep did not replace) and again in a tombstoned pack that still exists. Reading
   * it (a prune walking trees) must use the copy that exists; dedup must still not count either.
   */
  @Test
  void withoutAUsableCopyFindPrefersOneThatExists() {
    ChunkIndex index = new ChunkIndex();
    add(index, gone);
    add(index, tombstoned);
    ChunkIndex view = index.withPackStates(Set.of(tombstoned.id()), Set.of(tombstoned.id()));
    assertEquals(tombstoned.id(), view.find(chunk).orElseThrow().pack().id());
    assertFalse(view.containsLive(chunk));
  }
}
