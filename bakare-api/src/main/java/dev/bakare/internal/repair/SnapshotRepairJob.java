package dev.bakare.internal.repair;

import dev.bakare.FileError;
import dev.bakare.IntegrityException;
import dev.bakare.RepositoryException;
import dev.bakare.SnapshotId;
import dev.bakare.SnapshotRepairResult;
import dev.bakare.internal.concurrent.DaemonThreads;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.content.ContentWriter;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.protocol.Tombstones;
import dev.bakare.internal.protocol.WriterSession;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.DeepWalk;
import dev.bakare.internal.tree.Tree;
import dev.bakare.internal.tree.TreeReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * Salvages damaged snapshots: every snapshot whose trees cannot be read or whose files reference chunks
 * the repository no longer holds (or, with {@code readData}, chunks that fail verification) gets a new
 * snapshot with everything still readable. A lost directory becomes an empty directory carrying the
 * error, a lost file keeps its name and metadata with the error and no content, and both are listed.
 * The new snapshot is committed like a backup, through a session and its claim.
 */
public final class SnapshotRepairJob {
  private final Engine engine;
  private final boolean forgetOriginals;
  private final boolean readData;

  public SnapshotRepairJob(Engine engine, boolean forgetOriginals, boolean readData) {
    this.engine = engine;
    this.forgetOriginals = forgetOriginals;
    this.readData = readData;
  }

  public SnapshotRepairResult run() throws IOException {
    engine.requireFullKey("repairing snapshots");
    List<SnapshotRepairResult.Repaired> repaired = new ArrayList<>();
    long sound = 0;
    for (ObjectId id : engine.snapshotIds()) {
      SnapshotManifest manifest;
      try {
        manifest = engine.readSnapshot(id);
      } catch (IntegrityException e) {
        // Its root and paths are sealed inside it: nothing to salvage from, only check can name it.
        continue;
      }
      SnapshotRepairResult.Repaired result = repair(id, manifest);
      if (result == null) {
        sound++;
      } else {
        repaired.add(result);
      }
    }
    return new SnapshotRepairResult(repaired, sound);
  }

  private SnapshotRepairResult.@Nullable Repaired repair(ObjectId id, SnapshotManifest manifest) throws IOException {
    SnapshotManifest.Detail detail = java.util.Objects.requireNonNull(manifest.detail(), "full key reads details");
    for (int attempt = 1; attempt <= 3; attempt++) {
      WriterSession session = WriterSession.start(engine.store(), engine.sealing(), engine.hooks().clock(),
          engine.options().heartbeat(), "repair", !engine.hooks().sequential());
      boolean committed = false;
      @Nullable ContentWriter writer = null;
      ExecutorService uploads = Executors.newSingleThreadExecutor(DaemonThreads.named("bakare-repair-upload"));
      try {
        Set<ObjectId> tombstoned = Tombstones.packs(engine.store(), engine.sealing());
        Map<ObjectId, Long> present = engine.packsInStorage();
        ChunkIndex all = engine.index(present);
        // Readable means present in storage, tombstoned or not; new trees dedup only against untombstoned packs.
        ChunkIndex readable = all.withPackStates(p -> false, present::containsKey);
        ChunkIndex writable = all.withPackStates(tombstoned::contains, present::containsKey);
        ContentReader reader = engine.reader(readable);
        writer = new ContentWriter(engine.store(), engine.sealing(), engine.hasher(), engine.compressor(),
            writable, engine.config().packSize(), 1, 2, uploads, engine.packStaging());
        Salvage salvage = new Salvage(new TreeReader(reader), reader, readable, writer);
        // The salvage recurses once per directory level.
        ObjectId salvagedRoot = DeepWalk.run("bakare-repair", () -> salvage.tree(detail.rootTree(), "", 1));
        ObjectId root = salvagedRoot != null ? salvagedRoot : salvage.store(new Tree(List.of()));
        if (salvage.lost.isEmpty()) {
          committed = true;
          return null;
        }
        engine.writeIndex(writer.flush());
        List<String> tags = new ArrayList<>(manifest.summary().tags());
        tags.add("repaired");
        List<FileError> errors = new ArrayList<>(detail.errors());
        errors.addAll(salvage.lost);
        SnapshotManifest.Summary s = manifest.summary();
        var stats = new dev.bakare.SnapshotStats(s.stats().files(), s.stats().unchangedFiles(), s.stats().directories(),
            s.stats().totalBytes(), 0, 0, s.stats().errorCount() + salvage.lost.size());
        SnapshotManifest replacement = new SnapshotManifest(
            new SnapshotManifest.Summary(s.time(), s.host(), s.username(), tags, id, stats),
            new SnapshotManifest.Detail(detail.paths(), root, errors));
        byte[] sealed = replacement.seal(engine.sealing());
        ObjectId newId = ObjectId.wrap(Crypto.sha256(sealed));
        if (session.claimCommit(newId, sealed)) {
          engine.putContentAddressed(Layout.snapshot(newId), sealed);
          committed = true;
          session.snapshotStored();
          if (forgetOriginals) {
            engine.forgetSnapshot(id);
          }
          return new SnapshotRepairResult.Repaired(new SnapshotId(id.hex()), new SnapshotId(newId.hex()), salvage.lost,
              forgetOriginals);
        }
      } finally {
        uploads.shutdown();
        if (writer != null) {
          writer.close();
        }
        session.end(committed);
      }
    }
    throw new RepositoryException("repairing snapshot " + id.shortHex() + " was abandoned by concurrent prunes three"
        + " times: run repair when no prune is running");
  }

  /** Copies trees, keeping what is readable and recording the rest. */
  private final class Salvage {
    final TreeReader trees;
    final ContentReader reader;
    final ChunkIndex index;
    final ContentWriter writer;
    final List<FileError> lost = new ArrayList<>();
    final Map<ObjectId, Boolean> chunkOk = new HashMap<>();

    Salvage(TreeReader trees, ContentReader reader, ChunkIndex index, ContentWriter writer) {
      this.trees = trees;
      this.reader = reader;
      this.index = index;
      this.writer = writer;
    }

    /**
     * The id of the salvaged tree (the same id when nothing below it was lost), or null if the tree itself
     * cannot be read.
     */
    @Nullable ObjectId tree(ObjectId id, String path, int depth) throws IOException {
      String tooDeep = Tree.tooDeep(depth);
      if (tooDeep != null) {
        lost.add(new FileError(path, "directory lost: " + tooDeep));
        return null;
      }
      Tree tree;
      try {
        tree = trees.read(id);
      } catch (IOException e) {
        lost.add(new FileError(path.isEmpty() ? "/" : path, "directory lost: " + e.getMessage()));
        return null;
      }
      List<Node> nodes = new ArrayList<>(tree.nodes().size());
      boolean changed = false;
      for (Node node : tree.nodes()) {
        String child = path + "/" + node.name();
        Node kept = node;
        if (node.type() == NodeType.DIRECTORY && node.subtree() != null) {
          ObjectId sub = tree(node.subtree(), child, depth + 1);
          if (sub == null) {
            kept = node.withError("lost by damage: its directory listing cannot be read");
          } else if (!sub.equals(node.subtree())) {
            kept = node.withSubtree(sub);
          }
        } else if (node.type() == NodeType.FILE) {
          String problem = fileProblem(node);
          if (problem != null) {
            lost.add(new FileError(child, problem));
            kept = node.withError("lost by damage: " + problem);
          }
        }
        changed |= kept != node;
        nodes.add(kept);
      }
      return changed ? store(new Tree(nodes)) : id;
    }

    private @Nullable String fileProblem(Node file) throws IOException {
      for (ObjectId chunk : file.content()) {
        Boolean ok = chunkOk.get(chunk);
        if (ok == null) {
          ok = index.containsLive(chunk);
          if (ok && readData) {
            try {
              reader.read(chunk, ChunkType.DATA);
            } catch (IntegrityException e) {
              ok = false;
            }
          }
          chunkOk.put(chunk, ok);
        }
        if (!ok) {
          return "chunk " + chunk.shortHex() + (readData ? " is missing or damaged" : " is missing");
        }
      }
      return null;
    }

    ObjectId store(Tree tree) throws IOException {
      byte[] encoded = tree.encode();
      return writer.write(ChunkType.TREE, encoded, 0, encoded.length);
    }
  }
}
