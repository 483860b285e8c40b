package dev.bakare.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.bakare.internal.format.ObjectId;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Node writes its own equals (a no-change backup compares a node per file, and keeps the parent's node
 * when the two are equal): a component it forgot would make a backup keep an outdated node.
 */
class NodeTest {
  private static final ObjectId ID = ObjectId.wrap(filled(7));
  private static final Node NODE = new Node("report.txt", NodeType.FILE, 0644, 1000, 100, "ann", "staff",
      Instant.ofEpochSecond(1_700_000_000, 5), Instant.ofEpochSecond(1_700_000_001, 6), 42, 2049, 1, 10,
      List.of(ID), ID, "target", "error");

  @Test
  void nodesWithTheSameComponentsAreEqual() throws Exception {
    Node copy = construct(values(NODE));
    assertNotSame(NODE, copy);
    assertEquals(NODE, copy);
    assertEquals(NODE.hashCode(), copy.hashCode());
  }

  @Test
  void everyComponentCounts() throws Exception {
    RecordComponent[] components = Node.class.getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      Object[] values = values(NODE);
      values[i] = differentFrom(values[i]);
      Node changed = construct(values);
      assertNotEquals(NODE, changed, "nodes differing in " + components[i].getName());
      assertNotEquals(changed, NODE, "nodes differing in " + components[i].getName());
    }
  }

  @Test
  void aFreshlyStatedNodeWithTheParentsContentIsTheParentsNodeOnlyIfAllElseMatches() throws Exception {
    RecordComponent[] components = Node.class.getRecordComponents();
    Node stated = NODE.withContent(List.of(), 0);
    assertSame(NODE, stated.withContentOf(NODE));
    for (int i = 0; i < components.length; i++) {
      String name = components[i].getName();
      if (name.equals("content") || name.equals("size")) {
        continue;
      }
      Object[] values = values(stated);
      values[i] = differentFrom(values[i]);
      Node changed = construct(values);
      Node result = changed.withContentOf(NODE);
      assertNotEquals(NODE, result, "nodes differing in " + name);
      assertEquals(changed.withContent(NODE.content(), NODE.size()), result, name);
    }
  }

  private static Object differentFrom(Object value) {
    if (value instanceof String s) {
      return s + "x";
    }
    if (value instanceof NodeType t) {
      return t == NodeType.FILE ? NodeType.DIRECTORY : NodeType.FILE;
    }
    if (value instanceof Integer n) {
      return n + 1;
    }
    if (value instanceof Long n) {
      return n + 1;
    }
    if (value instanceof Instant t) {
      return t.plusNanos(1);
    }
    if (value instanceof List<?>) {
      return List.of(ObjectId.wrap(filled(8)));
    }
    if (value instanceof ObjectId) {
      return ObjectId.wrap(filled(9));
    }
    throw new AssertionError("no different value for a component of type " + value.getClass()
        + ": teach this test one");
  }

  private static Object[] values(Node node) throws Exception {
    RecordComponent[] components = Node.class.getRecordComponents();
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      values[i] = components[i].getAccessor().invoke(node);
    }
    return values;
  }

  private static Node construct(Object[] values) throws Exception {
    Class<?>[] types = Arrays.stream(Node.class.getRecordComponents()).map(RecordComponent::getType)
        .toArray(Class<?>[]::new);
    Constructor<Node> canonical = Node.class.getDeclaredConstructor(types);
    return canonical.newInstance(values);
  }

  private static byte[] filled(int value) {
    byte[] bytes = new byte[ObjectId.LENGTH];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
