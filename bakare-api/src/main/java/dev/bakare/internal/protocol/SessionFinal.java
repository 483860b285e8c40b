package dev.bakare.internal.protocol;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a session, claimed with a create-only put of {@code sessions/<id>/final}: exactly one of
 * the writer (committed) and a pruner (abandoned) wins. Sealed with the index key, purpose {@value
 * #PURPOSE}.
 *
 * @param outcome what happened
 * @param snapshot the committed snapshot, for {@link Outcome#COMMITTED}
 * @param by who claimed it: the writer's host, or the pruner's id
 */
public record SessionFinal(Outcome outcome, @Nullable ObjectId snapshot, String by) {
  /** How a session ended. */
  public enum Outcome {
    /** A backup committed {@link #snapshot()}. */
    COMMITTED,
    /** A prune's repack committed: its packs hold copies of chunks snapshots already reference. */
    MAINTENANCE,
    /** A prune judged the session dead; nothing it wrote may be referenced. */
    ABANDONED
  }

  public static final String PURPOSE = "session final v1";
  private static final int VERSION = 1;
  private static final int COMMITTED = 1;
  private static final int ABANDONED = 2;
  private static final int MAINTENANCE = 3;

  public SessionFinal {
    if ((outcome == Outcome.COMMITTED) != (snapshot != null)) {
      throw new IllegalArgumentException("a snapshot goes with COMMITTED and only with it");
    }
  }

  public static SessionFinal committed(ObjectId snapshot, String by) {
    return new SessionFinal(Outcome.COMMITTED, snapshot, by);
  }

  public static SessionFinal maintenance(String by) {
    return new SessionFinal(Outcome.MAINTENANCE, null, by);
  }

  public static SessionFinal abandoned(String by) {
    return new SessionFinal(Outcome.ABANDONED, null, by);
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(64).u8(VERSION);
    switch (outcome) {
      case COMMITTED -> {
        w.u8(COMMITTED);
        java.util.Objects.requireNonNull(snapshot).writeTo(w);
      }
      case MAINTENANCE -> w.u8(MAINTENANCE);
      case ABANDONED -> w.u8(ABANDONED);
    }
    return w.string(by).toByteArray();
  }

  public static SessionFinal decode(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    if (r.u8() != VERSION) {
      throw new CorruptDataException("session final has an unsupported version");
    }
    int kind = r.u8();
    Outcome outcome = switch (kind) {
      case COMMITTED -> Outcome.COMMITTED;
      case MAINTENANCE -> Outcome.MAINTENANCE;
      case ABANDONED -> Outcome.ABANDONED;
      default -> throw new CorruptDataException("unknown session outcome " + kind);
    };
    ObjectId snapshot = outcome == Outcome.COMMITTED ? ObjectId.read(r) : null;
    String by = r.string(1024, "claimant");
    r.expectEnd("session final");
    return new SessionFinal(outcome, snapshot, by);
  }
}
