package dev.bakare.internal.protocol;

import dev.bakare.IntegrityException;
import dev.bakare.internal.concurrent.DaemonThreads;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.store.BlobBytes;
import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A writer's session: started before the writer lists tombstones and loads the index, kept alive by
 * heartbeats, and ended by the commit claim. Whether the writer commits is decided by one create-only put
 * of {@code sessions/<id>/final}, which a pruner races with its own "abandoned" claim when the session
 * looks dead: exactly one wins, whatever either side's clock says or however long either is paused.
 */
public final class WriterSession {
  private static final System.Logger LOG = System.getLogger(WriterSession.class.getName());

  private final BlobStore store;
  private final Sealing sealing;
  private final Clock clock;
  private final Duration heartbeat;
  private final String id;
  private final String host;
  private long sequence;
  private long lastBeatMillis;
  private boolean ended;
  private java.util.concurrent.@org.jspecify.annotations.Nullable ScheduledExecutorService timer;

  private WriterSession(BlobStore store, Sealing sealing, Clock clock, Duration heartbeat, String id, String host) {
    this.store = store;
    this.sealing = sealing;
    this.clock = clock;
    this.heartbeat = heartbeat;
    this.id = id;
    this.host = host;
  }

  /**
   * Writes the session's start blob; the writer must list tombstones only after this returns. With {@code
   * background}, a daemon thread keeps the session alive until {@link #end}; otherwise the caller calls
   * {@link #beatIfDue} (a deterministic simulation does, between operations).
   */
  public static WriterSession start(BlobStore store, Sealing sealing, Clock clock, Duration heartbeat, String host,
      boolean background) throws StorageException {
    String id = HexFormat.of().formatHex(Crypto.randomBytes(16));
    WriterSession session = new WriterSession(store, sealing, clock, heartbeat, id, host);
    SessionStart start = new SessionStart(host, ProcessHandle.current().pid(), clock.instant(), heartbeat);
    store.put(ProtocolLayout.sessionStart(id), ByteBuffer.wrap(sealing.sealWithIndexKey(SessionStart.PURPOSE, start.encode())),
        PutMode.CREATE_ONLY);
    session.lastBeatMillis = clock.millis();
    if (background) {
      java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          DaemonThreads.named("bakare-heartbeat-" + id.substring(0, 8)));
      long period = Math.max(50, heartbeat.toMillis() / 4);
      timer.scheduleWithFixedDelay(session::beatIfDue, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
      session.timer = timer;
    }
    return session;
  }

  public String id() {
    return id;
  }

  /**
   * Writes a heartbeat if one is due. Called from a timer in normal runs and between storage operations
   * in a deterministic simulation. A failed heartbeat is logged, not fatal: at worst a pruner judges the
   * session abandoned, and the writer heals at commit.
   */
  public synchronized void beatIfDue() {
    if (ended || clock.millis() - lastBeatMillis < heartbeat.toMillis()) {
      return;
    }
    long next = sequence + 1;
    try {
      store.put(ProtocolLayout.sessionBeat(id, next), ByteBuffer.allocate(0), PutMode.REPLACE);
      if (sequence > 0) {
        store.delete(ProtocolLayout.sessionBeat(id, sequence));
      }
      sequence = next;
      lastBeatMillis = clock.millis();
    } catch (StorageException e) {
      LOG.log(System.Logger.Level.WARNING, "heartbeat of session " + id + " failed (retried at the next beat): "
          + e.getMessage());
    }
  }

  /**
   * Claims the commit of {@code snapshot}, whose bytes are first stored inside the session so that a
   * pruner that sees the claim can read what it references.
   *
   * @return true if the claim is this writer's: the caller then stores the snapshot and ends the session;
   *     false if a pruner claimed the session abandoned: nothing this session wrote may be referenced
   */
  public synchronized boolean claimCommit(ObjectId snapshot, byte[] snapshotBytes) throws IOException {
    store.put(ProtocolLayout.sessionPending(id), ByteBuffer.wrap(snapshotBytes), PutMode.REPLACE);
    return claim(SessionFinal.committed(snapshot, host));
  }

  /**
   * Records that the committed snapshot is stored, so that a prune that finds this session after this
   * process died knows the parked copy is not needed (and does not bring back a snapshot that was stored
   * and later forgotten).
   */
  public synchronized void snapshotStored() throws StorageException {
    store.put(ProtocolLayout.sessionStored(id), ByteBuffer.allocate(0), PutMode.REPLACE);
  }

  /**
   * Claims the commit of a prune's repack: the packs it wrote may now be relied on, and the packs it
   * copied from may be tombstoned.
   *
   * @return false if another prune judged this session abandoned meanwhile
   */
  public synchronized boolean claimMaintenance() throws IOException {
    return claim(SessionFinal.maintenance(host));
  }

  private boolean claim(SessionFinal outcome) throws IOException {
    byte[] claim = sealing.sealWithIndexKey(SessionFinal.PURPOSE, outcome.encode());
    try {
      store.put(ProtocolLayout.sessionFinal(id), ByteBuffer.wrap(claim), PutMode.CREATE_ONLY);
      return true;
    } catch (BlobAlreadyExistsException e) {
      // Our own claim, answered with an error and retried, stands; any other outcome is a pruner's.
      return readFinal(store, sealing, id).equals(outcome);
    }
  }

  /**
   * Removes the session's blobs after a commit or a failed run. The final claim of a committed session
   * goes too: its snapshot is visible by now. The final of an abandoned session is the pruner's and stays,
   * so that this session can never commit.
   */
  public void end(boolean committed) {
    java.util.concurrent.ScheduledExecutorService t = timer;
    if (t != null) {
      t.shutdownNow();
    }
    removeBlobs(committed);
  }

  private synchronized void removeBlobs(boolean committed) {
    ended = true;
    List<BlobName> names = new ArrayList<>();
    try {
      store.list(ProtocolLayout.sessionPrefix(id), (BlobInfo info) -> names.add(info.name()));
      // The parked snapshot goes first and the final claim last: a crash in between leaves a session a
      // prune can tell apart from one that never stored its snapshot.
      names.sort(java.util.Comparator.comparingInt(n -> n.equals(ProtocolLayout.sessionPending(id)) ? 0
          : n.equals(ProtocolLayout.sessionFinal(id)) ? 2 : 1));
      for (BlobName name : names) {
        if (committed || !name.equals(ProtocolLayout.sessionFinal(id))) {
          store.delete(name);
        }
      }
    } catch (StorageException e) {
      LOG.log(System.Logger.Level.WARNING, "could not remove session " + id + " (a later prune will): " + e.getMessage());
    }
  }

  /** Reads a session's final claim. */
  public static SessionFinal readFinal(BlobStore store, Sealing sealing, String session) throws IOException {
    BlobName name = ProtocolLayout.sessionFinal(session);
    byte[] array = BlobBytes.array(store.get(name));
    try {
      return SessionFinal.decode(sealing.openWithIndexKey(SessionFinal.PURPOSE, array));
    } catch (CorruptDataException e) {
      throw new IntegrityException(name.value(), e.getMessage(), e);
    }
  }
}
