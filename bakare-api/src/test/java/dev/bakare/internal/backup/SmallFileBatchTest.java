package dev.bakare.internal.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Small files go to the workers in batches, and each file's result is its own. */
class SmallFileBatchTest {
  /** Runs nothing until told to, counting the tasks handed to it. */
  private final List<Runnable> queued = new ArrayList<>();
  private final Executor workers = queued::add;

  private static Node file(String name, long size) {
    return new Node(name, NodeType.FILE, 0644, 0, 0, "", "", Instant.EPOCH, Instant.EPOCH, 1, 1, 1, size, List.of(),
        null, "", "");
  }

  private static Node stored(Path path, Node node, byte[] content, int length, String changed) {
    return node.withWarning("stored " + length + (changed == null ? "" : ", " + changed));
  }

  private CompletableFuture<Node> add(SmallFileBatch batch, int i, int length) {
    return batch.add(Path.of("f" + i), file("f" + i, length), new byte[length + 1], length, null);
  }

  private void runQueued() {
    List<Runnable> tasks = new ArrayList<>(queued);
    queued.clear();
    tasks.forEach(Runnable::run);
  }

  @Test
  void filesAreHandedOverInBatchesOfBoundedCountAndBytes() {
    SmallFileBatch batch = new SmallFileBatch(workers, SmallFileBatchTest::stored);
    List<CompletableFuture<Node>> results = new ArrayList<>();
    for (int i = 0; i < SmallFileBatch.MAX_FILES - 1; i++) {
      results.add(add(batch, i, 10));
    }
    assertEquals(0, queued.size(), "not handed over while below both bounds");
    results.add(add(batch, 99, 10));
    assertEquals(1, queued.size(), "handed over at " + SmallFileBatch.MAX_FILES + " files");
    results.add(add(batch, 100, SmallFileBatch.MAX_BYTES - 1));
    assertEquals(1, queued.size());
    results.add(add(batch, 101, 1));
    assertEquals(2, queued.size(), "handed over at " + SmallFileBatch.MAX_BYTES + " bytes");
    results.add(add(batch, 102, 5));
    batch.submit();
    assertEquals(3, queued.size(), "the rest when the directory is done");
    batch.submit();
    assertEquals(3, queued.size(), "nothing left to hand over");
    assertTrue(results.stream().noneMatch(CompletableFuture::isDone), "nothing stored before a worker runs");
    runQueued();
    assertEquals("stored 10", results.get(0).join().error());
    assertEquals("stored " + (SmallFileBatch.MAX_BYTES - 1), results.get(SmallFileBatch.MAX_FILES).join().error());
    assertEquals("stored 5", results.get(results.size() - 1).join().error());
  }

  @Test
  void aFileThatFailsToStoreFailsAloneInItsBatch() {
    IllegalStateException failure = new IllegalStateException("disk gone");
    SmallFileBatch batch = new SmallFileBatch(workers, (path, node, content, length, changed) -> {
      if (path.toString().equals("f1")) {
        throw failure;
      }
      return node;
    });
    CompletableFuture<Node> first = add(batch, 0, 1);
    CompletableFuture<Node> failing = add(batch, 1, 1);
    CompletableFuture<Node> last = add(batch, 2, 1);
    batch.submit();
    runQueued();
    assertEquals("f0", first.join().name());
    assertSame(failure, assertThrows(CompletionException.class, failing::join).getCause());
    assertEquals("f2", last.join().name());
  }

  @Test
  void aBatchTheWorkersRejectFailsEveryFileInIt() {
    RejectedExecutionException rejected = new RejectedExecutionException("backup workers are shut down");
    SmallFileBatch batch = new SmallFileBatch(task -> {
      throw rejected;
    }, SmallFileBatchTest::stored);
    CompletableFuture<Node> first = add(batch, 0, 1);
    CompletableFuture<Node> second = add(batch, 1, 1);
    assertSame(rejected, assertThrows(RejectedExecutionException.class, batch::submit));
    assertTrue(first.isCompletedExceptionally());
    assertTrue(second.isCompletedExceptionally());
    assertFalse(queued.size() > 0);
  }
}
