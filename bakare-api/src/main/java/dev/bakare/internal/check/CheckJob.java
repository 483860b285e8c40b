package dev.bakare.internal.check;

import dev.bakare.CheckRequest;
import dev.bakare.CheckResult;
import dev.bakare.IntegrityException;
import dev.bakare.internal.concurrent.ParallelTasks;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.content.PackEntry;
import dev.bakare.internal.content.PackFormat;
import dev.bakare.internal.content.PackHeaders;
import dev.bakare.internal.content.PackRef;
import dev.bakare.internal.content.WholePacks;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.repo.KeyFile;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.store.BlobBytes;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.DeepWalk;
import dev.bakare.internal.tree.Tree;
import dev.bakare.internal.tree.TreeReader;
import dev.bakare.store.spi.BlobName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Checks a repository and reports every problem with the damaged object's name and what it affects.
 * Reading goes through the same decoders as restore, so what check accepts, restore reads.
 */
public final class CheckJob {
  private static final int MAX_AFFECTS = 5;

  private final Engine engine;
  private final CheckRequest request;
  private final Map<String, ProblemBuilder> problems = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private @org.jspecify.annotations.Nullable ChunkIndex openIndex;
  private final Map<ObjectId, Long> packSizes = new HashMap<>();
  private final Set<ObjectId> cleanTrees = new HashSet<>();
  /** Added to by the threads that read packs. */
  private final Set<ObjectId> badChunks = ConcurrentHashMap.newKeySet();
  private final WholePacks wholePacks;
  private final List<SnapshotRef> snapshots = new ArrayList<>();
  /** Packs index segments list but storage lacks, with the segments; and the chunks they held. */
  private final Map<ObjectId, List<BlobName>> missingPacks = new LinkedHashMap<>();
  private final Map<ObjectId, ObjectId> chunksOfMissingPacks = new HashMap<>();
  private final Set<ObjectId> neededMissingPacks = new HashSet<>();
  private long treesChecked;

  public CheckJob(Engine engine, CheckRequest request) {
    this.engine = engine;
    this.request = request;
    this.wholePacks = new WholePacks(engine.store());
  }

  private record SnapshotRef(ObjectId id, SnapshotManifest manifest) {
    String label() {
      return "snapshot " + id.shortHex();
    }
  }

  public CheckResult run() throws IOException {
    try (ChunkIndex created = ChunkIndex.create(engine.workDirectory())) {
      openIndex = created;
      // The tree walk recurses once per directory level.
      return java.util.Objects.requireNonNull(DeepWalk.run("bakare-check", this::check));
    } finally {
      openIndex = null;
    }
  }

  private ChunkIndex index() {
    return java.util.Objects.requireNonNull(openIndex, "check is not running");
  }

  private CheckResult check() throws IOException {
    checkKeyCopies();
    packSizes.putAll(engine.packsInStorage());
    ChunkIndex index = index();
    Set<ObjectId> indexedPacks = checkIndex();
    if (engine.keys().isFull()) {
      indexUnlistedPacksFromHeaders(indexedPacks);
    }
    checkSnapshots();
    if (engine.keys().isFull()) {
      ContentReader reader = engine.reader(index);
      TreeReader trees = new TreeReader(reader);
      for (SnapshotRef snapshot : snapshots) {
        SnapshotManifest.Detail detail = snapshot.manifest().detail();
        if (detail != null) {
          walk(trees, snapshot, detail.rootTree(), "", 1, false);
        }
      }
      long read = readData(reader);
      if (!badChunks.isEmpty()) {
        cleanTrees.clear();
        for (SnapshotRef snapshot : snapshots) {
          SnapshotManifest.Detail detail = snapshot.manifest().detail();
          if (detail != null) {
            walk(trees, snapshot, detail.rootTree(), "", 1, true);
          }
        }
      }
      return result(read, indexedPacks);
    }
    notes.add("trees and chunk contents were not checked: a write key cannot read them");
    return result(readData(null), indexedPacks);
  }

  /**
   * Index entries of packs that are gone are a problem if a snapshot needs them (or, with a write key, if
   * that cannot be known), else a note: the protocol leaves them when a backup that a prune judged
   * abandoned indexes its packs after the sweep deleted them, and the next prune drops them.
   */
  private void reportMissingPacks() {
    for (Map.Entry<ObjectId, List<BlobName>> missing : missingPacks.entrySet()) {
      String segments = missing.getValue().stream().map(BlobName::value).collect(java.util.stream.Collectors.joining(", "));
      String pack = Layout.pack(missing.getKey()).value();
      if (!engine.keys().isFull() || neededMissingPacks.contains(missing.getKey())) {
        problem(pack, "missing from storage, but index segment " + segments + " lists it");
      } else {
        notes.add(pack + " is missing from storage, but index segment " + segments + " lists it: no snapshot needs"
            + " it (a backup that a prune judged abandoned indexed it after it was deleted); the next prune drops"
            + " the entry");
      }
    }
  }

  private CheckResult result(long packsRead, Set<ObjectId> indexedPacks) {
    reportMissingPacks();
    long unindexed = packSizes.keySet().stream().filter(id -> !indexedPacks.contains(id)).count();
    if (unindexed > 0) {
      notes.add(unindexed + " pack(s) are listed in no readable index segment: left by an interrupted or running"
          + " backup (prune reclaims what no snapshot uses), or listed in a damaged segment (repair index writes"
          + " them down again); their headers were read instead");
    }
    List<CheckResult.Problem> list = new ArrayList<>();
    for (ProblemBuilder b : problems.values()) {
      list.add(b.build());
    }
    return new CheckResult(list, notes, snapshots.size(), treesChecked, packSizes.size(), index().chunkCount(),
        packsRead);
  }

  /**
   * The passphrase-protected key copies in {@code keys/} are named by their SHA-256, so damage shows without
   * the passphrase; a damaged copy is otherwise found only when it is needed most, on a new machine.
   */
  private void checkKeyCopies() throws IOException {
    List<BlobName> names = new ArrayList<>();
    engine.store().list(Layout.KEYS, info -> names.add(info.name()));
    for (BlobName name : names) {
      byte[] bytes = BlobBytes.array(engine.store().get(name));
      if (!ObjectId.wrap(Crypto.sha256(bytes)).hex().equals(name.lastSegment())) {
        problem(name.value(), "its content does not match its name (SHA-256): this passphrase-protected key copy was"
            + " modified or damaged and may no longer open the repository; keep the key file init wrote, and remove"
            + " this copy");
        continue;
      }
      try {
        KeyFile.decode(bytes);
      } catch (CorruptDataException e) {
        problem(name.value(), "unreadable key copy: " + e.getMessage());
      }
    }
  }

  /** Loads every readable segment; reports unreadable ones and entries whose pack is missing or short. */
  private Set<ObjectId> checkIndex() throws IOException {
    Set<ObjectId> indexedPacks = new HashSet<>();
    for (BlobName name : engine.indexSegmentNames()) {
      IndexSegment segment;
      try {
        segment = engine.readIndexSegment(name);
      } catch (IntegrityException e) {
        problem(name.value(), "unreadable index segment: " + e.problem()
            + "; the packs it lists can be re-indexed from their headers (repair index)");
        continue;
      }
      for (IndexSegment.IndexedPack pack : segment.packs()) {
        ObjectId packId = pack.pack().id();
        indexedPacks.add(packId);
        Long size = packSizes.get(packId);
        if (size == null) {
          missingPacks.computeIfAbsent(packId, k -> new ArrayList<>()).add(name);
          for (PackEntry entry : pack.entries()) {
            chunksOfMissingPacks.put(entry.id(), packId);
          }
          continue;
        }
        for (PackEntry entry : pack.entries()) {
          if (entry.offset() + entry.storedLength() > size - PackFormat.TRAILER_LENGTH) {
            problem(Layout.pack(packId).value(), "is " + size + " bytes, shorter than index segment " + name
                + " says (chunk " + entry.id().shortHex() + " ends at " + (entry.offset() + entry.storedLength()) + ")");
          }
        }
        index().add(pack);
      }
    }
    return indexedPacks;
  }

  /**
   * Packs no readable segment lists are indexed from their headers, as every reader does, so that a
   * damaged segment is reported once, as itself, not as every chunk it listed.
   */
  private void indexUnlistedPacksFromHeaders(Set<ObjectId> indexedPacks) throws IOException {
    for (Map.Entry<ObjectId, Long> pack : packSizes.entrySet()) {
      if (indexedPacks.contains(pack.getKey())) {
        continue;
      }
      try {
        index().add(PackHeaders.read(engine.store(), engine.sealing(), pack.getKey(), pack.getValue()));
      } catch (IntegrityException e) {
        problem(e.object(), e.problem() + "; no index segment lists it either, so its chunks are lost");
      }
    }
  }

  private void checkSnapshots() throws IOException {
    for (ObjectId id : engine.snapshotIds()) {
      try {
        snapshots.add(new SnapshotRef(id, engine.readSnapshot(id)));
      } catch (IntegrityException e) {
        problem(Layout.snapshot(id).value(), e.problem());
      }
    }
  }

  /**
   * Walks a tree, reporting missing trees and chunks. Trees found sound are skipped when met again;
   * {@code attributeBadChunks} re-walks to name the files that use chunks found damaged by reading data.
   */
  private boolean walk(TreeReader trees, SnapshotRef snapshot, ObjectId treeId, String path, int depth,
      boolean attributeBadChunks) {
    if (cleanTrees.contains(treeId)) {
      return true;
    }
    String where = snapshot.label() + ":" + (path.isEmpty() ? "/" : path);
    String tooDeep = Tree.tooDeep(depth);
    if (tooDeep != null) {
      problem("tree " + treeId.shortHex(), "not followed: " + tooDeep).affects(where);
      return false;
    }
    ChunkLocation location = index().find(treeId).orElse(null);
    if (location == null) {
      noteNeeded(treeId);
      problem("tree " + treeId.shortHex(), "missing from the index (its pack is missing or unindexed)").affects(where);
      return false;
    }
    Tree tree;
    try {
      tree = trees.read(treeId);
    } catch (IOException e) {
      problem(Layout.pack(location.pack().id()).value(), e.getMessage()).affects(where);
      return false;
    }
    if (!attributeBadChunks) {
      treesChecked++;
    }
    boolean clean = true;
    for (Node node : tree.nodes()) {
      String child = path + "/" + node.name();
      if (node.type() == NodeType.FILE) {
        for (ObjectId chunk : node.content()) {
          if (attributeBadChunks) {
            if (badChunks.contains(chunk)) {
              problem("chunk " + chunk.shortHex(), "damaged (see its pack above)").affects(snapshot.label() + ":" + child);
              clean = false;
            }
          } else if (!index().contains(chunk)) {
            noteNeeded(chunk);
            problem("chunk " + chunk.shortHex(), "missing from the index (its pack is missing or unindexed)")
                .affects(snapshot.label() + ":" + child);
            clean = false;
          }
        }
      } else if (node.type() == NodeType.DIRECTORY && node.subtree() != null) {
        clean &= walk(trees, snapshot, node.subtree(), child, depth + 1, attributeBadChunks);
      }
    }
    if (clean) {
      cleanTrees.add(treeId);
    }
    return clean;
  }

  /**
   * Reads the chosen share of packs whole, as many at once as there are threads and memory for whole packs
   * (a pack's bytes, decrypted chunk by chunk, keep one core busy: one pack at a time left the others idle);
   * returns how many were read.
   */
  private long readData(@Nullable ContentReader reader) throws IOException {
    if (request.readDataPercent() == 0) {
      return 0;
    }
    List<ObjectId> packs = new ArrayList<>(packSizes.keySet());
    Collections.shuffle(packs, Crypto.random());
    int count = (int) Math.ceil(packs.size() * request.readDataPercent() / 100.0);
    List<ObjectId> chosen = packs.subList(0, count);
    int readers = (int) Math.max(1, Math.min(Math.min(engine.options().threads(), count),
        engine.packsInHalfTheBudget()));
    ParallelTasks.forEach(chosen, readers, "bakare-check-read", "reading packs", packId -> readPack(reader, packId),
        done -> { });
    return count;
  }

  /** Reads one pack whole and checks its name and, given a reader, every chunk in it. */
  private void readPack(@Nullable ContentReader reader, ObjectId packId) throws IOException {
    BlobName name = Layout.pack(packId);
    WholePacks.Read read = wholePacks.read(packId, packSizes.getOrDefault(packId, -1L));
    byte[] bytes = read.bytes();
    int length = read.length();
    if (!ObjectId.wrap(Crypto.sha256(bytes, 0, length)).equals(packId)) {
      problem(name.value(), "its content does not match its name (SHA-256): the pack was modified or damaged");
    }
    if (reader != null) {
      verifyChunks(reader, name, packId, bytes, length);
    }
  }

  /** Verifies the chunks of a pack that is the first {@code length} bytes of {@code bytes}. */
  private void verifyChunks(ContentReader reader, BlobName name, ObjectId packId, byte[] bytes, int length)
      throws IOException {
    List<PackEntry> entries;
    byte[] ephemeral;
    try {
      IndexSegment.IndexedPack self = PackHeaders.parse(engine.sealing(), packId, bytes, length);
      ephemeral = self.pack().ephemeralPublic();
      entries = self.entries();
    } catch (IntegrityException e) {
      problem(name.value(), e.problem());
      // The index still locates its chunks: verify those.
      ephemeral = null;
      List<PackEntry> fromIndex = new ArrayList<>();
      index().forEach((chunk, l) -> {
        if (l.pack().id().equals(packId)) {
          fromIndex.add(new PackEntry(chunk, l.type(), l.compression(), l.offset(), l.storedLength(), l.rawLength()));
        }
      });
      entries = fromIndex;
    }
    PackRef ref = new PackRef(packId, ephemeral != null ? ephemeral
        : index().pack(packId).map(PackRef::ephemeralPublic).orElse(new byte[32]));
    ContentReader.ChunkBuffers opened = new ContentReader.ChunkBuffers();
    for (PackEntry entry : entries) {
      ChunkLocation location = new ChunkLocation(ref, entry.type(), entry.compression(), entry.offset(),
          entry.storedLength(), entry.rawLength());
      if (entry.offset() + entry.storedLength() > length) {
        problem(name.value(), "chunk " + entry.id().shortHex() + " extends past the end of the pack");
        badChunks.add(entry.id());
        continue;
      }
      try {
        reader.open(entry.id(), location, bytes, (int) entry.offset(), opened);
      } catch (IntegrityException e) {
        problem(name.value(), e.problem());
        badChunks.add(entry.id());
      }
    }
  }

  /** A chunk a snapshot needs is not indexed: if a missing pack held it, that pack is a problem. */
  private void noteNeeded(ObjectId chunk) {
    ObjectId pack = chunksOfMissingPacks.get(chunk);
    if (pack != null) {
      neededMissingPacks.add(pack);
    }
  }

  /** Synchronized: packs are read on several threads. */
  private synchronized ProblemBuilder problem(String object, String description) {
    return problems.computeIfAbsent(object + "\u0000" + description, k -> new ProblemBuilder(object, description));
  }

  private static final class ProblemBuilder {
    private final String object;
    private final String description;
    private final LinkedHashSet<String> affects = new LinkedHashSet<>();
    private long more;

    ProblemBuilder(String object, String description) {
      this.object = object;
      this.description = description;
    }

    ProblemBuilder affects(String what) {
      if (affects.size() < MAX_AFFECTS) {
        affects.add(what);
      } else if (!affects.contains(what)) {
        more++;
      }
      return this;
    }

    CheckResult.Problem build() {
      List<String> list = new ArrayList<>(affects);
      if (more > 0) {
        list.add("and " + more + " more");
      }
      return new CheckResult.Problem(object, description, list);
    }
  }
}
