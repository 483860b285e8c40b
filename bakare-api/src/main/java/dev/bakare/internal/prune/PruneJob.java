package dev.bakare.internal.prune;

import dev.bakare.IntegrityException;
import dev.bakare.PruneRequest;
import dev.bakare.PruneResult;
import dev.bakare.RepositoryException;
import dev.bakare.internal.concurrent.DaemonThreads;
import dev.bakare.internal.concurrent.ParallelTasks;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.content.ContentWriter;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.content.PackEntry;
import dev.bakare.internal.content.PackHeaders;
import dev.bakare.internal.content.WholePacks;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.CompactIdSet;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.protocol.MaintenanceLease;
import dev.bakare.internal.protocol.ProtocolLayout;
import dev.bakare.internal.protocol.SessionResolver;
import dev.bakare.internal.protocol.Tombstone;
import dev.bakare.internal.protocol.TombstoneSessions;
import dev.bakare.internal.protocol.Tombstones;
import dev.bakare.internal.protocol.WriterSession;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.tree.TreeReader;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One prune: first sweep earlier marks whose sessions are all resolved, then mark what is unreferenced
 * now (repacking partly used packs first). The protocol, step by step, is in docs/design.md,
 * "Concurrency".
 */
public final class PruneJob {
  private static final System.Logger LOG = System.getLogger(PruneJob.class.getName());

  private final Engine engine;
  private final PruneRequest request;
  private final String id = HexFormat.of().formatHex(Crypto.randomBytes(4));
  private final SessionResolver resolver;
  private final List<String> waitingFor = new ArrayList<>();
  private long packsDeleted;
  private long bytesDeleted;
  private long packsKept;
  private long packsMarked;
  private long bytesMarked;
  private long packsRepacked;
  private long bytesRepacked;
  private long sessionsAbandoned;
  private long incompleteUploadBytes;

  public PruneJob(Engine engine, PruneRequest request) {
    this.engine = engine;
    this.request = request;
    this.resolver = new SessionResolver(engine.store(), engine.sealing(), "prune " + id);
  }

  public PruneResult run() throws IOException {
    engine.requireFullKey("pruning");
    if (!engine.store().capabilities().atomicCreateOnly()) {
      throw new RepositoryException("prune needs a store whose create-only puts are atomic, and "
          + engine.store().describe() + " has none (a file system without hard links?): a prune there could"
          + " delete data a concurrent backup relies on; prune from a host where the repository supports them");
    }
    try (MaintenanceLease lease = MaintenanceLease.acquire(engine.store(), request.lease(), "prune " + id)) {
      sweep(lease);
      mark(lease);
      if (!request.dryRun()) {
        reclaimDeadSessions(lease);
        // Older than the session expiry, no put can still be running (a paused one retries whole).
        incompleteUploadBytes = engine.store().removeIncompleteUploads(request.sessionExpiry());
      }
    }
    return new PruneResult(packsDeleted, bytesDeleted, packsKept, packsMarked, bytesMarked, packsRepacked,
        bytesRepacked, sessionsAbandoned, waitingFor, incompleteUploadBytes, request.dryRun());
  }

  /**
   * Sessions whose process died stay until a prune cleans them up, whether or not a tombstone records
   * them: abandoned ones keep only their final claim, committed ones have their snapshot stored and go.
   */
  private void reclaimDeadSessions(MaintenanceLease lease) throws IOException {
    Instant storeNow = lease.renew();
    for (String session : resolver.sessionIds()) {
      if (resolver.reclaimIfDead(session, storeNow, request.sessionExpiry())) {
        sessionsAbandoned++;
      }
    }
    // A backup paused between its commit claim and storing its snapshot stores it when it resumes, even if
    // the snapshot was completed for it and forgotten meanwhile: the marker makes that copy invisible, and
    // here it goes.
    java.util.Set<ObjectId> forgotten = engine.forgottenSnapshots();
    List<ObjectId> stored = new ArrayList<>();
    engine.store().list(Layout.SNAPSHOTS, info -> Layout.idOf(info.name(), Layout.SNAPSHOTS).ifPresent(stored::add));
    for (ObjectId id : stored) {
      if (forgotten.contains(id)) {
        engine.store().delete(Layout.snapshot(id));
      }
    }
  }

  // ---- sweep ----

  private void sweep(MaintenanceLease lease) throws IOException {
    Instant storeNow = lease.renew();
    List<String> listed = Tombstones.ids(engine.store());
    Map<String, Tombstone> tombstones = Tombstones.load(engine.store(), engine.sealing());
    if (!request.dryRun()) {
      // Listed, but its packs blob is gone: swept by another prune while one that had read it recorded its
      // sessions anew (two prunes hold the lease in turn when one is paused past it). Marks put the packs
      // blob first, so a sessions blob without it is never read again.
      for (String id : listed) {
        if (!tombstones.containsKey(id)) {
          engine.store().delete(ProtocolLayout.tombstoneSessions(id));
        }
      }
    }
    List<String> sweepable = new ArrayList<>();
    List<byte[]> committedSnapshots = new ArrayList<>();
    Set<String> abandoned = new HashSet<>();
    for (Map.Entry<String, Tombstone> t : tombstones.entrySet()) {
      if (t.getValue().marked().plus(request.grace()).isAfter(storeNow)) {
        continue;
      }
      var sessions = Tombstones.sessions(engine.store(), engine.sealing(), t.getKey());
      if (sessions.isEmpty()) {
        // The prune that marked stopped before recording the sessions; recording them now is conservative:
        // every session that might have missed the tombstone still exists or has ended.
        if (!request.dryRun()) {
          recordSessions(t.getKey());
        }
        continue;
      }
      boolean ready = true;
      for (String session : sessions.get().sessions()) {
        SessionResolver.Resolution r = resolver.resolve(session, storeNow, request.sessionExpiry(), request.dryRun());
        switch (r.state()) {
          case ALIVE -> {
            ready = false;
            if (!waitingFor.contains(r.description())) {
              waitingFor.add(r.description());
            }
          }
          case ABANDONED -> {
            abandoned.add(session);
            if (r.abandonedNow()) {
              sessionsAbandoned++;
              LOG.log(System.Logger.Level.INFO, "judged abandoned: " + r.description());
            }
          }
          case COMMITTED -> {
            if (r.snapshotBytes() != null) {
              committedSnapshots.add(r.snapshotBytes());
            }
          }
          case ENDED -> { }
        }
      }
      if (ready) {
        sweepable.add(t.getKey());
      }
    }
    if (sweepable.isEmpty()) {
      return;
    }
    lease.renew();
    // Everything below is read after the sessions were resolved, so it includes what they committed. The
    // snapshots are listed before the index is loaded, so the index holds every tree they reference; one
    // committed later comes from a session this sweep does not wait for, which saw the tombstones.
    List<ObjectId> snapshots = engine.snapshotIds();
    Map<ObjectId, Long> present = engine.packsInStorage();
    try (ChunkIndex index = engine.freshIndex()) {
      // Writers deduplicate against packs no segment lists (indexed from their headers), so a snapshot
      // may need them: they are located the same way here.
      engine.indexUnlistedPacks(index, present);
      sweep(lease, tombstones, sweepable, snapshots, committedSnapshots, abandoned, present, index);
    }
  }

  private void sweep(MaintenanceLease lease, Map<String, Tombstone> tombstones, List<String> sweepable,
      List<ObjectId> snapshots, List<byte[]> committedSnapshots, Set<String> abandoned, Map<ObjectId, Long> present,
      ChunkIndex index) throws IOException {
    Set<ObjectId> doomed = new HashSet<>();
    Set<ObjectId> stillTombstoned = new HashSet<>();
    for (Map.Entry<String, Tombstone> t : tombstones.entrySet()) {
      for (ObjectId pack : t.getValue().packs()) {
        if (sweepable.contains(t.getKey())) {
          if (present.containsKey(pack)) {
            doomed.add(pack);
          }
        } else {
          stillTombstoned.add(pack);
        }
      }
    }
    Set<ObjectId> keep = new HashSet<>();
    long[] unlocated = {0};
    Consumer<ObjectId> keepIfOnlyCopyIsDoomed = chunk -> {
      List<ChunkLocation> locations = index.locations(chunk);
      if (locations.isEmpty()) {
        unlocated[0]++;
      }
      ChunkLocation doomedCopy = null;
      for (ChunkLocation l : locations) {
        ObjectId pack = l.pack().id();
        if (doomed.contains(pack)) {
          doomedCopy = doomedCopy == null ? l : doomedCopy;
        } else if (present.containsKey(pack) && !stillTombstoned.contains(pack)) {
          return;
        }
      }
      if (doomedCopy != null) {
        keep.add(doomedCopy.pack().id());
      }
    };
    // Trees are read from copies that exist: the index may also list copies in packs that are gone (a
    // sweep that died before deleting the segments it replaced), which rewriteIndex below then drops.
    walkAllReferences(index.withPackStates(pack -> false, present::containsKey), snapshots, committedSnapshots,
        keepIfOnlyCopyIsDoomed);
    refuseIfUnlocated(unlocated[0]);
    Set<ObjectId> delete = new HashSet<>(doomed);
    delete.removeAll(keep);
    packsKept += keep.size();
    for (ObjectId pack : delete) {
      packsDeleted++;
      bytesDeleted += present.get(pack);
    }
    if (request.dryRun()) {
      return;
    }
    lease.renew();
    rewriteIndex(delete);
    for (ObjectId pack : delete) {
      engine.store().delete(Layout.pack(pack));
    }
    deleteOldSegments();
    for (String t : sweepable) {
      engine.store().delete(ProtocolLayout.tombstonePacks(t));
      engine.store().delete(ProtocolLayout.tombstoneSessions(t));
    }
    for (String session : abandoned) {
      resolver.removeAbandoned(session);
    }
  }

  private final List<BlobName> oldSegments = new ArrayList<>();
  /** Segments below this many chunks are merged when a prune rewrites the index. */
  private static final int SMALL_SEGMENT_CHUNKS = 25_000;

  /**
   * Writes replacements for the index segments that list deleted or missing packs, and merges segments of
   * fewer than {@link #SMALL_SEGMENT_CHUNKS} chunks (a backup of many small files checkpoints every
   * 50,000 chunks, and every segment is one more blob for a fresh machine to read); the old ones are
   * deleted only after the packs (so that at every moment every kept pack is indexed). Packs are listed
   * after the segments: a backup uploads its packs before the segment that lists them, so a pack of a
   * listed segment that the later listing lacks is truly gone, while a backup that committed during this
   * sweep keeps its packs indexed.
   */
  private void rewriteIndex(Set<ObjectId> deleted) throws IOException {
    oldSegments.clear();
    List<BlobName> segments = engine.indexSegmentNames();
    Set<ObjectId> present = engine.packsInStorage().keySet();
    List<BlobName> small = new ArrayList<>();
    for (BlobName name : segments) {
      IndexSegment segment = engine.readIndexSegment(name);
      boolean changed = false;
      int chunks = 0;
      for (IndexSegment.IndexedPack pack : segment.packs()) {
        ObjectId packId = pack.pack().id();
        changed |= deleted.contains(packId) || !present.contains(packId);
        chunks += pack.entries().size();
      }
      if (changed) {
        oldSegments.add(name);
      } else if (chunks < SMALL_SEGMENT_CHUNKS) {
        small.add(name);
      }
    }
    if (small.size() > 1) {
      oldSegments.addAll(small);
    }
    // Read again rather than kept: the rewritten segments' packs are written out a batch at a time, so a
    // prune's memory does not grow with the index.
    SegmentBatch batch = new SegmentBatch();
    for (BlobName name : oldSegments) {
      for (IndexSegment.IndexedPack pack : engine.readIndexSegment(name).packs()) {
        ObjectId packId = pack.pack().id();
        if (!deleted.contains(packId) && present.contains(packId)) {
          batch.add(pack);
        }
      }
    }
    batch.flush();
  }

  /**
   * Packs to list in new segments, written once a segment's worth has gathered; a pack two old segments
   * list is listed once.
   */
  private final class SegmentBatch {
    private final Set<ObjectId> listed = new HashSet<>();
    private final List<IndexSegment.IndexedPack> packs = new ArrayList<>();
    private int chunks;

    void add(IndexSegment.IndexedPack pack) throws StorageException {
      if (!listed.add(pack.pack().id())) {
        return;
      }
      packs.add(pack);
      chunks += pack.entries().size();
      if (chunks >= SMALL_SEGMENT_CHUNKS * 4) {
        flush();
      }
    }

    void flush() throws StorageException {
      if (!packs.isEmpty()) {
        engine.writeIndexSegments(packs);
        packs.clear();
        chunks = 0;
      }
    }
  }

  private void deleteOldSegments() throws IOException {
    for (BlobName name : oldSegments) {
      engine.store().delete(name);
    }
  }

  // ---- mark ----

  private void mark(MaintenanceLease lease) throws IOException {
    lease.renew();
    Set<ObjectId> tombstoned = Tombstones.packs(engine.store(), engine.sealing());
    // Snapshots first, as in the sweep: the index loaded next locates everything they reference.
    List<ObjectId> snapshots = engine.snapshotIds();
    Map<ObjectId, Long> present = engine.packsInStorage();
    try (ChunkIndex fresh = engine.freshIndex()) {
      // As in the sweep: a snapshot may use packs no segment lists; those it does not use are doomed.
      engine.indexUnlistedPacks(fresh, present);
      mark(lease, tombstoned, snapshots, present, fresh.withPackStates(tombstoned::contains, present::containsKey),
          fresh.withPackStates(pack -> false, present::containsKey));
    }
  }

  /**
   * @param index the index as a writer would see it: relying on present packs no tombstone names
   * @param readable the same entries, relying on every present pack: where trees are read from
   */
  private void mark(MaintenanceLease lease, Set<ObjectId> tombstoned, List<ObjectId> snapshots,
      Map<ObjectId, Long> present, ChunkIndex index, ChunkIndex readable) throws IOException {
    CompactIdSet live = new CompactIdSet(Math.max(1024, index.chunkCount()));
    long[] unlocated = {0};
    walkAllReferences(readable, snapshots, List.of(), chunk -> {
      live.add(chunk);
      if (!index.contains(chunk)) {
        unlocated[0]++;
      }
    });
    refuseIfUnlocated(unlocated[0]);

    Map<ObjectId, long[]> usage = new HashMap<>();
    index.forEach((chunk, l) -> {
      long[] u = usage.computeIfAbsent(l.pack().id(), p -> new long[2]);
      u[1] += l.storedLength();
      if (live.contains(chunk)) {
        u[0] += l.storedLength();
      }
    });
    // Segments that list packs which are gone (a backup judged abandoned indexes its packs after a sweep
    // deleted them; a sweep that died leaves the segments it replaced) are replaced here too: with nothing
    // to sweep, no other step would.
    if (!request.dryRun() && usage.keySet().stream().anyMatch(pack -> !present.containsKey(pack))) {
      rewriteIndex(Set.of());
      deleteOldSegments();
    }
    List<ObjectId> doomed = new ArrayList<>();
    List<ObjectId> partlyUsed = new ArrayList<>();
    long used = 0;
    long unused = 0;
    for (Map.Entry<ObjectId, Long> pack : present.entrySet()) {
      if (tombstoned.contains(pack.getKey())) {
        continue;
      }
      long[] u = usage.get(pack.getKey());
      if (u == null || u[0] == 0) {
        doomed.add(pack.getKey());
      } else {
        used += u[0];
        if (u[1] > u[0]) {
          partlyUsed.add(pack.getKey());
          unused += u[1] - u[0];
        }
      }
    }
    // Repack where copying a byte frees the most, until the unused space left is within the allowance.
    partlyUsed.sort(java.util.Comparator.comparingDouble(p -> -(double) (usage.get(p)[1] - usage.get(p)[0]) / usage.get(p)[0]));
    List<ObjectId> repack = new ArrayList<>();
    for (ObjectId pack : partlyUsed) {
      if (unused <= request.maxUnused() * used) {
        break;
      }
      repack.add(pack);
      unused -= usage.get(pack)[1] - usage.get(pack)[0];
    }
    if (!repack.isEmpty()) {
      if (request.dryRun()) {
        packsRepacked += repack.size();
        doomed.addAll(repack);
      } else if (repack(lease, index, live, repack, tombstoned, present)) {
        doomed.addAll(repack);
      }
    }
    for (ObjectId pack : doomed) {
      packsMarked++;
      bytesMarked += present.get(pack);
    }
    if (doomed.isEmpty() || request.dryRun()) {
      return;
    }
    lease.renew();
    String tombstone = HexFormat.of().formatHex(Crypto.randomBytes(16));
    byte[] packs = engine.sealing().sealWithIndexKey(Tombstone.PURPOSE, new Tombstone(lease.storeNow(), doomed).encode());
    engine.store().put(ProtocolLayout.tombstonePacks(tombstone), ByteBuffer.wrap(packs), PutMode.CREATE_ONLY);
    // Listed after the tombstone is written: every session not listed here starts later and sees it.
    recordSessions(tombstone);
  }

  private void recordSessions(String tombstone) throws IOException {
    byte[] sealed = engine.sealing().sealWithIndexKey(TombstoneSessions.PURPOSE,
        new TombstoneSessions(resolver.sessionIds()).encode());
    engine.store().put(ProtocolLayout.tombstoneSessions(tombstone), ByteBuffer.wrap(sealed), PutMode.CREATE_ONLY);
  }

  /**
   * Copies the used chunks of partly used packs into new packs, inside a session of its own (so that a
   * concurrent prune cannot sweep the new packs before they are indexed), and commits by its claim.
   * Returns false, marking nothing, if the session was judged abandoned meanwhile.
   */
  private boolean repack(MaintenanceLease lease, ChunkIndex index, CompactIdSet live, List<ObjectId> packs,
      Set<ObjectId> tombstoned, Map<ObjectId, Long> present) throws IOException {
    WriterSession session = WriterSession.start(engine.store(), engine.sealing(), engine.hooks().clock(),
        engine.options().heartbeat(), "prune " + id, !engine.hooks().sequential());
    boolean committed = false;
    @Nullable ContentWriter writer = null;
    ExecutorService uploads = Executors.newSingleThreadExecutor(DaemonThreads.named("bakare-repack-upload"));
    try {
      Set<ObjectId> excluded = new HashSet<>(tombstoned);
      excluded.addAll(packs);
      // Copies in the packs being repacked do not count as stored, so the writer stores the used chunks anew.
      ChunkIndex view = index.withPackStates(excluded::contains, present::containsKey);
      // A pack's bytes, opened, checked, compressed and sealed again chunk by chunk, keep one core busy and
      // wait on the store in between: as many packs at once as there are threads and memory for whole packs
      // (a pack read per thread, and as much again for the packs filled where they are staged in memory).
      long budgetPacks = engine.packsInHalfTheBudget();
      long fitting = engine.packStaging().inFiles() ? budgetPacks : budgetPacks / 2;
      int repackers = engine.hooks().sequential() ? 1
          : (int) Math.max(1, Math.min(Math.min(engine.options().threads(), packs.size()), fitting));
      ContentWriter into = new ContentWriter(engine.store(), engine.sealing(), engine.hasher(), engine.compressor(),
          view, engine.config().packSize(), repackers, 2, uploads, engine.packStaging());
      writer = into;
      ContentReader reader = engine.reader(index);
      WholePacks wholePacks = new WholePacks(engine.store());
      ParallelTasks.forEach(packs, repackers, "bakare-repack", "repacking", pack -> copyUsedChunks(pack,
          present.getOrDefault(pack, -1L), wholePacks, live, reader, into), done -> {
            if (done % 64 == 0) {
              lease.renew();
              session.beatIfDue();
            }
          });
      packsRepacked += packs.size();
      List<IndexSegment.IndexedPack> written = writer.flush();
      for (IndexSegment.IndexedPack p : written) {
        for (var entry : p.entries()) {
          bytesRepacked += entry.storedLength();
        }
      }
      engine.writeIndex(written);
      committed = session.claimMaintenance();
      if (!committed) {
        LOG.log(System.Logger.Level.WARNING, "the repack was judged abandoned by another prune; nothing marked");
      }
      return committed;
    } finally {
      uploads.shutdown();
      if (writer != null) {
        writer.close();
      }
      session.end(committed);
    }
  }

  /**
   * Writes the used chunks of one pack into {@code writer}. One pack at a time per thread, its chunks found
   * from its own header: memory stays a pack per thread, however many chunks the repository holds. Runs on
   * several threads at once: {@code live} is complete before and only read, the reader and the writer are
   * shared by threads by design.
   */
  private void copyUsedChunks(ObjectId pack, long size, WholePacks packs, CompactIdSet live, ContentReader reader,
      ContentWriter writer) throws IOException {
    WholePacks.Read read = packs.read(pack, size);
    byte[] bytes = read.bytes();
    IndexSegment.IndexedPack self = PackHeaders.parse(engine.sealing(), pack, bytes, read.length());
    ContentReader.ChunkBuffers opened = new ContentReader.ChunkBuffers();
    for (PackEntry entry : self.entries()) {
      if (!live.contains(entry.id())) {
        continue;
      }
      ChunkLocation l = new ChunkLocation(self.pack(), entry.type(), entry.compression(), entry.offset(),
          entry.storedLength(), entry.rawLength());
      reader.open(entry.id(), l, bytes, (int) entry.offset(), opened);
      writer.write(entry.id(), entry.type(), opened.plain(), opened.plainOffset(), entry.rawLength());
    }
  }

  // ---- shared ----

  /**
   * A referenced chunk the index does not locate means an index segment is missing: which pack holds it is
   * unknown, so no pack may be judged unreferenced.
   */
  private static void refuseIfUnlocated(long unlocated) throws RepositoryException {
    if (unlocated > 0) {
      throw new RepositoryException("prune stopped, nothing was deleted: " + unlocated
          + " referenced chunks are in no index segment; run check, then repair index");
    }
  }

  /**
   * Reports every chunk referenced by {@code snapshots} (listed before {@code index} was loaded) or by
   * {@code extraSnapshots} (committed snapshots parked in sessions). A damaged snapshot stops the prune:
   * its references are unknown.
   */
  private void walkAllReferences(ChunkIndex index, List<ObjectId> snapshots, List<byte[]> extraSnapshots,
      Consumer<ObjectId> referenced) throws IOException {
    ReferenceWalker walker = new ReferenceWalker(new TreeReader(
        engine.reader(index)));
    for (ObjectId snapshot : snapshots) {
      SnapshotManifest manifest;
      try {
        manifest = engine.readSnapshot(snapshot);
      } catch (IntegrityException e) {
        throw new RepositoryException("prune stopped, nothing was deleted: " + e.getMessage()
            + "; run check, then repair", e);
      } catch (RepositoryException e) {
        // Forgotten between listing and reading: it references nothing any more.
        if (e.getCause() instanceof BlobNotFoundException) {
          continue;
        }
        throw e;
      }
      walker.walk(rootOf(manifest, Layout.snapshot(snapshot).value()), referenced);
    }
    for (byte[] bytes : extraSnapshots) {
      SnapshotManifest manifest;
      try {
        manifest = SnapshotManifest.open(engine.sealing(), bytes);
      } catch (CorruptDataException e) {
        throw new RepositoryException("prune stopped, nothing was deleted: a committed session's snapshot is"
            + " unreadable (" + e.getMessage() + "); run check", e);
      }
      walker.walk(rootOf(manifest, "a committed session's snapshot"), referenced);
    }
  }

  private static ObjectId rootOf(SnapshotManifest manifest, String what) {
    SnapshotManifest.Detail detail = manifest.detail();
    if (detail == null) {
      throw new IllegalStateException(what + " read without its detail, but prune holds the full key");
    }
    return detail.rootTree();
  }
}
