package dev.bakare.internal.protocol;

import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.store.BlobBytes;
import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides, for a prune, what became of a writer session: ended, committed (and what), abandoned, or still
 * running. A session that has been silent for the expiry (by the store's clock) is claimed abandoned with
 * the same create-only put a writer commits with, so the outcome is final.
 */
public final class SessionResolver {
  private final BlobStore store;
  private final Sealing sealing;
  private final String pruner;

  public SessionResolver(BlobStore store, Sealing sealing, String pruner) {
    this.store = store;
    this.sealing = sealing;
    this.pruner = pruner;
  }

  /** What became of a session. */
  public enum State {
    /** Gone: it committed and cleaned up, or failed and cleaned up. */
    ENDED,
    /** Committed a snapshot ({@link Resolution#snapshotBytes()}) or a repack. */
    COMMITTED,
    /** Claimed abandoned: nothing it wrote may be relied on. */
    ABANDONED,
    /** Still running (heartbeat younger than the expiry). */
    ALIVE
  }

  /**
   * @param state the outcome
   * @param snapshotBytes for a committed backup whose snapshot may not be visible yet, its bytes
   * @param description who the session is, for messages
   * @param abandonedNow whether this call claimed it abandoned
   */
  public record Resolution(State state, byte @Nullable [] snapshotBytes, String description, boolean abandonedNow) {}

  /** The ids of every session with blobs in the repository. */
  public List<String> sessionIds() throws IOException {
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    store.list(ProtocolLayout.SESSIONS, info -> ProtocolLayout.idBelow(info.name(), ProtocolLayout.SESSIONS)
        .ifPresent(ids::add));
    return new ArrayList<>(ids);
  }

  /**
   * Resolves a session, claiming it abandoned if it has been silent for {@code expiry} at {@code storeNow}
   * (unless {@code dryRun}, which only reports what it would claim).
   */
  public Resolution resolve(String session, Instant storeNow, Duration expiry, boolean dryRun) throws IOException {
    List<BlobInfo> blobs = new ArrayList<>();
    store.list(ProtocolLayout.sessionPrefix(session), blobs::add);
    if (blobs.isEmpty()) {
      return new Resolution(State.ENDED, null, "session " + session, false);
    }
    String description = describe(session);
    boolean hasFinal = blobs.stream().anyMatch(b -> b.name().equals(ProtocolLayout.sessionFinal(session)));
    if (hasFinal) {
      return fromFinal(session, description, false);
    }
    Instant lastSeen = Instant.MIN;
    for (BlobInfo b : blobs) {
      if (b.lastModified().isAfter(lastSeen)) {
        lastSeen = b.lastModified();
      }
    }
    if (lastSeen.plus(expiry).isAfter(storeNow)) {
      return new Resolution(State.ALIVE, null, description + ", last heartbeat " + lastSeen, false);
    }
    if (dryRun) {
      return new Resolution(State.ABANDONED, null, description + " (would be judged abandoned)", false);
    }
    byte[] claim = sealing.sealWithIndexKey(SessionFinal.PURPOSE, SessionFinal.abandoned(pruner).encode());
    try {
      store.put(ProtocolLayout.sessionFinal(session), ByteBuffer.wrap(claim), PutMode.CREATE_ONLY);
      return new Resolution(State.ABANDONED, null, description, true);
    } catch (BlobAlreadyExistsException e) {
      // The writer claimed first: its outcome stands.
      return fromFinal(session, description, false);
    }
  }

  private Resolution fromFinal(String session, String description, boolean abandonedNow) throws IOException {
    SessionFinal outcome;
    try {
      outcome = WriterSession.readFinal(store, sealing, session);
    } catch (BlobNotFoundException e) {
      // The writer removed its committed session between our listing and this read.
      return new Resolution(State.ENDED, null, description, false);
    }
    return switch (outcome.outcome()) {
      case ABANDONED -> new Resolution(State.ABANDONED, null, description, abandonedNow);
      case MAINTENANCE -> new Resolution(State.COMMITTED, null, description, false);
      case COMMITTED -> new Resolution(State.COMMITTED, committedSnapshot(session, outcome.snapshot()), description, false);
    };
  }

  /**
   * The committed snapshot's bytes while it may not be stored yet: from the snapshot itself, or the copy
   * parked in the session. Null once the session recorded it stored (the snapshot is then walked with the
   * others, or was forgotten and references nothing).
   */
  private byte @Nullable [] committedSnapshot(String session, @Nullable ObjectId snapshot) throws IOException {
    if (store.stat(ProtocolLayout.sessionStored(session)).isPresent()
        || store.stat(Layout.forgotten(java.util.Objects.requireNonNull(snapshot))).isPresent()) {
      return null;
    }
    for (BlobName name : List.of(Layout.snapshot(java.util.Objects.requireNonNull(snapshot)),
        ProtocolLayout.sessionPending(session))) {
      try {
        return BlobBytes.array(store.get(name));
      } catch (BlobNotFoundException e) {
        // Try the other copy.
      }
    }
    // Both gone: the snapshot was committed and later forgotten; it references nothing any more.
    return null;
  }

  private String describe(String session) {
    try {
      byte[] bytes = BlobBytes.array(store.get(ProtocolLayout.sessionStart(session)));
      SessionStart start = SessionStart.decode(sealing.openWithIndexKey(SessionStart.PURPOSE, bytes));
      return "backup on " + start.host() + " (pid " + start.pid() + ", session " + session.substring(0, 8)
          + ", started " + start.started() + ")";
    } catch (IOException | CorruptDataException e) {
      return "session " + session;
    }
  }

  /**
   * Cleans up after a session that has been silent for {@code expiry} at {@code storeNow} (dead, or paused
   * for that long). Without a claim it is claimed abandoned (see {@link #resolve}); an abandoned one keeps
   * only its final claim; a committed one whose snapshot may not be stored yet has it stored from the
   * parked copy (idempotent: the same bytes under the same name), and then all its blobs go. If its process
   * was only paused, it stores the snapshot again when it resumes: harmless, and if the snapshot was
   * forgotten meanwhile its {@code forgotten/} marker keeps it forgotten. Returns whether it was judged
   * abandoned now.
   */
  public boolean reclaimIfDead(String session, Instant storeNow, Duration expiry) throws IOException {
    List<BlobInfo> blobs = new ArrayList<>();
    store.list(ProtocolLayout.sessionPrefix(session), blobs::add);
    Instant lastSeen = Instant.MIN;
    for (BlobInfo b : blobs) {
      if (b.lastModified().isAfter(lastSeen)) {
        lastSeen = b.lastModified();
      }
    }
    if (blobs.isEmpty() || lastSeen.plus(expiry).isAfter(storeNow)) {
      return false;
    }
    Resolution r = resolve(session, storeNow, expiry, false);
    switch (r.state()) {
      case ABANDONED -> removeAbandoned(session);
      case COMMITTED -> {
        byte[] parked = r.snapshotBytes();
        if (parked != null) {
          ObjectId id = ObjectId.wrap(dev.bakare.internal.crypto.Crypto.sha256(parked));
          try {
            store.put(Layout.snapshot(id), ByteBuffer.wrap(parked), PutMode.CREATE_ONLY);
          } catch (BlobAlreadyExistsException e) {
            // Stored by its writer after all.
          }
        }
        List<BlobName> names = new ArrayList<>();
        store.list(ProtocolLayout.sessionPrefix(session), info -> names.add(info.name()));
        names.sort(java.util.Comparator.comparingInt(n -> n.equals(ProtocolLayout.sessionFinal(session)) ? 1 : 0));
        for (BlobName name : names) {
          store.delete(name);
        }
      }
      case ENDED, ALIVE -> { }
    }
    return r.abandonedNow();
  }

  /** Deletes an abandoned session's blobs except its final claim, which must stay so it can never commit. */
  public void removeAbandoned(String session) throws IOException {
    List<BlobName> names = new ArrayList<>();
    store.list(ProtocolLayout.sessionPrefix(session), info -> names.add(info.name()));
    for (BlobName name : names) {
      if (!name.equals(ProtocolLayout.sessionFinal(session))) {
        store.delete(name);
      }
    }
  }
}
