package dev.bakare.internal.backup;

import static dev.bakare.internal.backup.ParentDirectory.SAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A directory's parent version, decoded one node at a time as the directory's entries are visited. */
class ParentDirectoryTest {
  private static final ObjectId TREE = ObjectId.wrap(new byte[32]);

  private static Node file(String name, long size) {
    Instant t = Instant.ofEpochSecond(1_700_000_000L + size);
    return new Node(name, NodeType.FILE, 0644, 1000, 1000, "me", "staff", t, t, size, 1, 1, size,
        List.of(ObjectId.wrap(filled((byte) size))), null, "", "");
  }

  private static byte[] filled(byte value) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, value);
    return bytes;
  }

  private static final List<Node> NODES = List.of(file("a", 1), file("c", 3), file("e", 5), file("g", 7));

  private static ParentDirectory parent(List<Node> nodes) throws CorruptDataException {
    return ParentDirectory.of(TREE, new Tree(nodes).encode());
  }

  @Test
  void entriesFindTheirParentNodesInNameOrderAndSkipTheParentsOthers() throws CorruptDataException {
    ParentDirectory.Matcher matcher = parent(NODES).matcher();
    assertNull(matcher.find("b"));
    assertEquals(-1, matcher.ordinal());
    assertEquals(NODES.get(1), matcher.find("c"));
    assertEquals(1, matcher.ordinal());
    assertNull(matcher.find("d"));
    // "e" was deleted: the parent's node is passed over.
    assertEquals(NODES.get(3), matcher.find("g"));
    assertEquals(3, matcher.ordinal());
    assertNull(matcher.find("h"));
    assertEquals(-1, matcher.ordinal());
  }

  @Test
  void noParentFindsNothingAndStandsForNothing() {
    ParentDirectory.Matcher matcher = ParentDirectory.NONE.matcher();
    assertNull(matcher.find("a"));
    assertNull(ParentDirectory.NONE.tree());
    assertFalse(ParentDirectory.NONE.isMadeOf(List.of()));
  }

  @Test
  void onlyEveryParentNodeUnchangedStandsForTheParentTree() throws CorruptDataException {
    ParentDirectory parent = parent(NODES);
    assertTrue(parent.isMadeOf(List.of(SAME, SAME, SAME, SAME)));
    assertFalse(parent.isMadeOf(List.of(SAME, SAME, SAME)), "an entry deleted");
    assertFalse(parent.isMadeOf(List.of(SAME, SAME, SAME, SAME, file("h", 8))), "an entry added");
    assertFalse(parent.isMadeOf(List.of(SAME, file("c", 4), SAME, SAME)), "an entry changed");
    assertTrue(parent(List.of()).isMadeOf(List.of()), "an empty directory, empty before");
  }

  @Test
  void unchangedEntriesResolveToTheParentsNodesAtTheirPositions() throws CorruptDataException {
    ParentDirectory parent = parent(NODES);
    Node b = file("b", 2);
    Node changedE = file("e", 50);
    List<Node> resolved = parent.resolve(List.of(SAME, b, SAME, changedE), new int[] {0, -1, 1, 2});
    assertEquals(List.of(NODES.get(0), b, NODES.get(1), changedE), resolved);
    List<Node> fresh = List.of(b, changedE);
    assertSame(fresh, parent.resolve(fresh, new int[] {-1, 2}), "nothing to resolve");
  }

  @Test
  void aTreeDamagedPartWayMatchesUpToTheDamageAndNoMore() throws CorruptDataException {
    byte[] encoded = new Tree(NODES).encode();
    // A byte after the last node: the tree's end fails its check when that node is decoded.
    byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
    ParentDirectory parent = ParentDirectory.of(TREE, trailing);
    ParentDirectory.Matcher matcher = parent.matcher();
    assertEquals(NODES.get(0), matcher.find("a"));
    assertEquals(NODES.get(1), matcher.find("c"));
    assertEquals(NODES.get(2), matcher.find("e"));
    assertNull(matcher.find("g"), "the last node, which the damage follows");
    assertFalse(parent.isMadeOf(List.of(SAME, SAME, SAME)));
    assertEquals(NODES.subList(0, 3), parent.resolve(List.of(SAME, SAME, SAME), new int[] {0, 1, 2}));
  }

  @Test
  void aTreeThatIsNoTreeIsRejectedWhole() {
    assertThrows(CorruptDataException.class, () -> ParentDirectory.of(TREE, new byte[] {9, 0}));
  }
}
