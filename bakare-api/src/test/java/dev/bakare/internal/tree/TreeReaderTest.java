package dev.bakare.internal.tree;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.ObjectId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeReaderTest {
  /**
   * The cache of decoded trees is bounded by their heap, not their number: a directory of large files made
   * of small chunks holds 100,000 chunk ids, and 1,024 such trees do not fit a 256 MiB heap (found by
   * benchmarks/ten-million-chunks.sh, where check ran out of memory).
   */
  @Test
  void aTreeOfManyChunkIdsWeighsInProportion() {
    Tree small = tree(1_000, 1);
    Tree large = tree(1_000, 100);
    long perChunkId = (TreeReader.heapEstimate(large) - TreeReader.heapEstimate(small)) / (1_000L * 99);
    assertTrue(perChunkId >= 64, "an ObjectId on the heap takes at least 64 bytes; estimated " + perChunkId);
    assertTrue(TreeReader.heapEstimate(large) > 6_000_000,
        "100,000 chunk ids are megabytes: " + TreeReader.heapEstimate(large));
  }

  private static Tree tree(int files, int chunksPerFile) {
    List<Node> nodes = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      List<ObjectId> content = new ArrayList<>();
      for (int c = 0; c < chunksPerFile; c++) {
        byte[] id = new byte[32];
        id[0] = (byte) f;
        id[1] = (byte) (f >> 8);
        id[2] = (byte) c;
        content.add(ObjectId.wrap(id));
      }
      nodes.add(new Node(String.format("file-%05d", f), NodeType.FILE, 0644, 0, 0, "", "", Instant.EPOCH,
          Instant.EPOCH, f, 1, 1, 640L * chunksPerFile, content, null, "", ""));
    }
    return new Tree(nodes);
  }
}
