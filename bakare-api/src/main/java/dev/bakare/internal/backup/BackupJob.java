package dev.bakare.internal.backup;

import dev.bakare.BackupRequest;
import dev.bakare.ChangeDetection;
import dev.bakare.RepositoryException;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.tree.TreeReader;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.protocol.Tombstones;
import dev.bakare.internal.protocol.WriterSession;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.snapshot.SnapshotManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A backup: a session, one pass over the sources, and the commit. Commit order: every pack uploaded, the
 * index segments for them, the snapshot parked inside the session, the commit claim, the snapshot.
 *
 * <p>If a prune judged the session abandoned (this process was paused past the session expiry, and the
 * packs it deduplicated against may be gone), the claim fails. The job then heals: a new session, a fresh
 * view of tombstones and index, and another pass, which stores again whatever is gone and dedups the rest.
 */
public final class BackupJob {
  private static final System.Logger LOG = System.getLogger(BackupJob.class.getName());
  private static final int MAX_ATTEMPTS = 5;
  /** Snapshots read at first when looking for the parent: as many as are read at once. */
  private static final int FIRST_PARENT_BATCH = 8;

  private final Engine engine;
  private final BackupRequest request;
  private final FileOpener opener;

  public BackupJob(Engine engine, BackupRequest request, FileOpener opener) {
    this.engine = engine;
    this.request = request;
    this.opener = opener;
  }

  /** The snapshot whose unchanged files a backup reuses. */
  private record Parent(ObjectId id, ObjectId root) {}

  /**
   * The newest snapshot of this host and these paths among the most recently stored ones, whose trees tell
   * which files are unchanged; none with a write key (it cannot read trees) or when change detection is
   * off. Snapshots are read newest stored first, in batches that double, until a batch holds one of this
   * host and paths: with a year of hourly snapshots a backup decrypts a handful, not 8,760. Any earlier
   * snapshot of the same paths would do as well for correctness (a file is reused only if its metadata
   * matches); the newest makes the backup read the fewest files.
   */
  private @Nullable Parent findParent(String host) throws IOException {
    if (!engine.keys().isFull() || request.changeDetection() == ChangeDetection.OFF) {
      return null;
    }
    List<String> paths = new ArrayList<>();
    for (Path p : request.paths()) {
      paths.add(p.toAbsolutePath().normalize().toString());
    }
    Collections.sort(paths);
    Parent best = null;
    Instant bestTime = Instant.MIN;
    List<ObjectId> ids = engine.snapshotIdsNewestFirst();
    for (int from = 0, batch = FIRST_PARENT_BATCH; from < ids.size() && best == null; from += batch, batch *= 2) {
      for (Engine.SnapshotRead read : engine.readSnapshots(ids.subList(from, Math.min(ids.size(), from + batch)))) {
        SnapshotManifest manifest = read.manifest();
        if (manifest == null) {
          // A damaged or just-forgotten snapshot is no parent; the backup reads those files instead.
          if (read.failure() instanceof RepositoryException) {
            continue;
          }
          throw Objects.requireNonNull(read.failure());
        }
        SnapshotManifest.Detail detail = manifest.detail();
        if (detail == null || !manifest.summary().host().equals(host) || !manifest.summary().time().isAfter(bestTime)) {
          continue;
        }
        List<String> theirs = new ArrayList<>(detail.paths());
        Collections.sort(theirs);
        if (theirs.equals(paths)) {
          best = new Parent(read.id(), detail.rootTree());
          bestTime = manifest.summary().time();
        }
      }
    }
    return best;
  }

  /** The new snapshot's id and manifest, and how many passes it took. */
  public record Result(ObjectId id, SnapshotManifest manifest, int passes) {}

  public Result run() throws IOException {
    String host = request.host() != null ? request.host() : HostName.get();
    for (int attempt = 1; ; attempt++) {
      Instant started = engine.hooks().clock().instant();
      WriterSession session = WriterSession.start(engine.store(), engine.sealing(), engine.hooks().clock(),
          engine.options().heartbeat(), host, !engine.hooks().sequential());
      boolean committed = false;
      try {
        // Tombstones are listed after the session exists: a prune that marks later waits for this session.
        Set<ObjectId> tombstoned = Tombstones.packs(engine.store(), engine.sealing());
        java.util.Map<ObjectId, Long> present = engine.packsInStorage();
        ChunkIndex index = engine.index(present).withPackStates(tombstoned::contains, present::containsKey);
        Parent parent = findParent(host);
        TreeReader parentTrees = parent == null ? null : TreeReader.uncached(engine.onePassReader(index));
        BackupPass.Result pass = new BackupPass(engine, request, opener, index, session,
            parent == null ? null : parent.root(), parentTrees).run();
        engine.writeIndex(pass.packs());
        SnapshotManifest manifest = new SnapshotManifest(
            new SnapshotManifest.Summary(started, host, System.getProperty("user.name", ""), request.tags(),
                parent == null ? null : parent.id(), pass.stats()),
            new SnapshotManifest.Detail(pass.paths(), pass.root(), pass.errors()));
        byte[] sealed = manifest.seal(engine.sealing());
        ObjectId id = ObjectId.wrap(Crypto.sha256(sealed));
        if (engine.hooks().skipCommitClaim() || session.claimCommit(id, sealed)) {
          engine.putContentAddressed(Layout.snapshot(id), sealed);
          committed = true;
          if (!engine.hooks().skipCommitClaim()) {
            session.snapshotStored();
          }
          engine.cacheIndexAfterBackup();
          return new Result(id, manifest, attempt);
        }
        LOG.log(System.Logger.Level.WARNING, "session " + session.id() + " was judged abandoned by a prune while this "
            + "backup was paused; storing again whatever was pruned (pass " + (attempt + 1) + ")");
        if (attempt >= MAX_ATTEMPTS) {
          throw new RepositoryException("backup gave up after " + attempt + " passes: each time a prune judged it "
              + "abandoned before it could commit; raise the prune's --session-expiry above the pauses this host takes");
        }
      } finally {
        session.end(committed);
      }
    }
  }
}
