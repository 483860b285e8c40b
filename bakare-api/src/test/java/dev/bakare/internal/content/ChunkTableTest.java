package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.ObjectId;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookups read the table without a lock while inserts grow it: every chunk inserted before a lookup
 * starts is found exactly where it was put, with every field intact, however the two interleave.
 */
class ChunkTableTest {
  private static final int CHUNKS = 200_000;
  private static final int READERS = 3;
  /** Inserted before the readers must have started; the table first grows at 1,434 chunks. */
  private static final int FIRST_CHUNKS = 1000;

  @TempDir Path temp;

  @Test
  void lookupsDuringInsertsAndGrowthSeeEveryChunkInsertedBeforeThem() throws Exception {
    List<ObjectId> ids = new ArrayList<>(CHUNKS);
    Random random = new Random(11);
    for (int i = 0; i < CHUNKS; i++) {
      byte[] raw = new byte[ObjectId.LENGTH];
      random.nextBytes(raw);
      ids.add(ObjectId.wrap(raw));
    }
    // Starting small, the table doubles eight times while the readers probe it.
    try (ChunkTable table = new ChunkTable(temp, 1000)) {
      AtomicInteger inserted = new AtomicInteger();
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch readersLooking = new CountDownLatch(READERS);
      ExecutorService readers = Executors.newFixedThreadPool(READERS);
      try {
        List<Future<?>> lookups = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
          long seed = r;
          lookups.add(readers.submit(
              () -> lookUpWhileInserting(table, ids, inserted, done, readersLooking, new Random(seed))));
        }
        for (int i = 0; i < CHUNKS; i++) {
          if (i == FIRST_CHUNKS) {
            // The rest, and every growth of the table, only once every reader is looking chunks up.
            assertTrue(readersLooking.await(1, TimeUnit.MINUTES), "the readers started looking chunks up");
          }
          table.insert(ids.get(i), i, offsetOf(i), i + 7, i + 9, i % 2 == 0 ? ChunkType.DATA : ChunkType.TREE,
              i % 3 == 0 ? Compression.ZSTD : Compression.NONE);
          inserted.set(i + 1);
        }
        done.set(true);
        for (Future<?> lookup : lookups) {
          lookup.get(1, TimeUnit.MINUTES);
        }
      } finally {
        readers.shutdownNow();
      }
      assertEquals(CHUNKS, table.count());
      for (int i = 0; i < CHUNKS; i++) {
        assertFoundAsInserted(table, ids.get(i), i);
      }
    }
  }

  @Test
  void aChunkStoredTwiceIsVisitedTwice() throws Exception {
    ObjectId id = ObjectId.wrap(ByteBuffer.allocate(ObjectId.LENGTH).putLong(42).array());
    try (ChunkTable table = new ChunkTable(temp, 10)) {
      table.insert(id, 3, 100, 10, 20, ChunkType.DATA, Compression.NONE);
      table.insert(id, 4, 200, 10, 20, ChunkType.DATA, Compression.NONE);
      List<Integer> packs = new ArrayList<>();
      table.forEachMatch(id, (slot, found, pack, offset, stored, raw, type, compression) -> packs.add(pack));
      assertEquals(List.of(3, 4), packs.stream().sorted().toList());
      assertTrue(table.holdsIn(id, pack -> pack == 4), "held in the second pack too");
      assertFalse(table.holdsIn(id, pack -> pack == 5));
    }
  }

  /**
   * Looks chunks up until {@code done}, counting {@code looking} down after its first 100 lookups (or when
   * it fails before, so that the inserting thread does not wait for it); fails on any lookup that saw a
   * wrong table.
   */
  private static void lookUpWhileInserting(ChunkTable table, List<ObjectId> ids, AtomicInteger inserted,
      AtomicBoolean done, CountDownLatch looking, Random random) {
    long lookups = 0;
    try {
      while (!done.get()) {
        int known = inserted.get();
        if (known == 0) {
          continue;
        }
        // A chunk inserted before this lookup began, and one not yet (or never) inserted.
        int i = random.nextInt(known);
        assertFoundAsInserted(table, ids.get(i), i);
        assertTrue(table.holdsIn(ids.get(i), pack -> pack == i), "chunk " + i + " is held in its pack");
        assertFalse(table.holdsIn(ids.get(i), pack -> pack != i), "chunk " + i + " is held in no other pack");
        byte[] absent = new byte[ObjectId.LENGTH];
        random.nextBytes(absent);
        int[] visits = {0};
        table.forEachMatch(ObjectId.wrap(absent), (slot, id, pack, offset, stored, raw, type, compression) -> visits[0]++);
        assertEquals(0, visits[0], "a random id is not in the table");
        assertFalse(table.holdsIn(ObjectId.wrap(absent), pack -> true), "a random id is held nowhere");
        if (++lookups == 100) {
          looking.countDown();
        }
      }
    } finally {
      if (lookups < 100) {
        looking.countDown();
      }
    }
  }

  private static void assertFoundAsInserted(ChunkTable table, ObjectId id, int i) {
    int[] visits = {0};
    table.forEachMatch(id, (slot, found, pack, offset, stored, raw, type, compression) -> {
      visits[0]++;
      assertEquals(id, found);
      assertEquals(i, pack, "pack number of chunk " + i);
      assertEquals(offsetOf(i), offset, "offset of chunk " + i);
      assertEquals(i + 7, stored, "sealed length of chunk " + i);
      assertEquals(i + 9, raw, "raw length of chunk " + i);
      assertEquals(i % 2 == 0 ? ChunkType.DATA : ChunkType.TREE, type, "type of chunk " + i);
      assertEquals(i % 3 == 0 ? Compression.ZSTD : Compression.NONE, compression, "compression of chunk " + i);
    });
    assertEquals(1, visits[0], "chunk " + i + " is found once, inserted before the lookup");
  }

  /** Offsets above 2^31 too, which the table stores as unsigned 32 bits. */
  private static long offsetOf(int i) {
    return (i * 21_474L) & 0xFFFF_FFFFL;
  }
}
