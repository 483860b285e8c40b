package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentWriter;
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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restore never writes outside its target, whatever a (possibly forged) snapshot says. */
class RestoreSafetyTest {
  @TempDir Path temp;
  TestRepo repo;
  Path target;
  Path outside;

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    target = temp.resolve("target");
    outside = Files.createDirectories(temp.resolve("outside"));
  }

  @Test
  void refusesUnsafeNamesFromAForgedSnapshot() throws IOException {
    try (Repository r = repo.init()) {
      SnapshotId forged = new Forger(r.engine()).snapshot(List.of(
          dir("..", file("escape.txt", "escaped via ..")),
          file("a/b", "slash in a name"),
          file("", "empty name"),
          file(".", "dot"),
          file("ok.txt", "fine")));

      RestoreResult result = r.restore(forged, target);
      assertEquals("fine", Files.readString(target.resolve("ok.txt")));
      assertEquals(List.of("ok.txt"), List.copyOf(TreeAssertions.names(target)));
      assertFalse(Files.exists(temp.resolve("escape.txt")));
      assertEquals(4, result.errors().size(), result.errors().toString());
      assertTrue(result.errors().stream().allMatch(e -> e.reason().startsWith("refused")), result.errors().toString());
    }
  }

  @Test
  void neverWritesThroughASymlinkARestoreCreated() throws IOException {
    try (Repository r = repo.init()) {
      Forger forger = new Forger(r.engine());
      SnapshotId withLink = forger.snapshot(List.of(symlink("s", outside.toString())));
      SnapshotId withDir = forger.snapshot(List.of(dir("s", file("planted.txt", "through the link"))));

      assertTrue(r.restore(withLink, target).isComplete());
      assertTrue(Files.isSymbolicLink(target.resolve("s")));

      RepositoryException refused = assertThrows(RepositoryException.class, () -> r.restore(withDir, target));
      assertTrue(refused.getMessage().contains("would overwrite"), refused.getMessage());

      RestoreResult forced = r.restore(RestoreRequest.builder(withDir, target).overwrite(Overwrite.ALWAYS).build());
      assertFalse(forced.isComplete());
      assertTrue(TreeAssertions.names(outside).isEmpty(), "nothing may land in the link's target");
    }
  }

  @Test
  void neverWritesThroughASymlinkAlreadyInTheTarget() throws IOException {
    Files.createDirectories(target);
    Files.createSymbolicLink(target.resolve("home"), outside);
    try (Repository r = repo.init()) {
      SnapshotId snapshot = new Forger(r.engine()).snapshot(List.of(dir("home", file("x.txt", "x"))));
      for (Overwrite policy : Overwrite.values()) {
        try {
          r.restore(RestoreRequest.builder(snapshot, target).overwrite(policy).build());
        } catch (RepositoryException expected) {
          assertTrue(expected.getMessage().contains("would overwrite"), expected.getMessage());
        }
        assertTrue(TreeAssertions.names(outside).isEmpty(), "wrote through the symlink with " + policy);
        assertTrue(Files.isSymbolicLink(target.resolve("home")));
      }
    }
  }

  // ---- forging snapshots the public API would never write ----

  private record Entry(String name, NodeType type, String content, List<Entry> children) {}

  private static Entry file(String name, String content) {
    return new Entry(name, NodeType.FILE, content, List.of());
  }

  private static Entry dir(String name, Entry... children) {
    return new Entry(name, NodeType.DIRECTORY, "", List.of(children));
  }

  private static Entry symlink(String name, String target) {
    return new Entry(name, NodeType.SYMLINK, target, List.of());
  }

  private static final class Forger {
    private final Engine engine;

    Forger(Engine engine) {
      this.engine = engine;
    }

    SnapshotId snapshot(List<Entry> rootEntries) throws IOException {
      ExecutorService uploads = Executors.newSingleThreadExecutor();
      try (ContentWriter writer = new ContentWriter(engine.store(), engine.sealing(), engine.hasher(),
          engine.compressor(), engine.index(), 1 << 20, 1, 2, uploads, engine.packStaging())) {
        ObjectId root = tree(writer, rootEntries);
        engine.writeIndex(writer.flush());
        SnapshotStats stats = new SnapshotStats(0, 0, 0, 0, 0, 0, 0);
        ObjectId id = engine.writeSnapshot(new SnapshotManifest(
            new SnapshotManifest.Summary(Instant.now(), "forger", "mallory", List.of(), null, stats),
            new SnapshotManifest.Detail(List.of("/"), root, List.of())));
        return new SnapshotId(id.hex());
      } finally {
        uploads.shutdown();
      }
    }

    private ObjectId tree(ContentWriter writer, List<Entry> entries) throws IOException {
      List<Node> nodes = new java.util.ArrayList<>();
      for (Entry e : entries) {
        Instant now = Instant.parse("2020-01-01T00:00:00Z");
        switch (e.type()) {
          case FILE -> {
            byte[] bytes = e.content().getBytes(StandardCharsets.UTF_8);
            ObjectId chunk = writer.write(ChunkType.DATA, bytes, 0, bytes.length);
            nodes.add(new Node(e.name(), NodeType.FILE, 0644, 0, 0, "", "", now, now, 0, 0, 1, bytes.length,
                List.of(chunk), null, "", ""));
          }
          case DIRECTORY -> nodes.add(new Node(e.name(), NodeType.DIRECTORY, 0755, 0, 0, "", "", now, now, 0, 0, 1,
              0, List.of(), tree(writer, e.children()), "", ""));
          case SYMLINK -> nodes.add(new Node(e.name(), NodeType.SYMLINK, 0777, 0, 0, "", "", now, now, 0, 0, 1, 0,
              List.of(), null, e.content(), ""));
          default -> throw new IllegalArgumentException(e.type().toString());
        }
      }
      byte[] encoded = new Tree(nodes).encode();
      return writer.write(ChunkType.TREE, encoded, 0, encoded.length);
    }
  }
}
