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
 * @param snapshot the committed snapshot, or null if the session was abandoned
 * @param by who claimed it: the writer's host, or the pruner's id
 */
public record SessionFinal(@Nullable ObjectId snapshot, String by) {
  public static final String PURPOSE = "session final v1";
  private static final int VERSION = 1;
  private static final int COMMITTED = 1;
  private static final int ABANDONED = 2;

  public static SessionFinal committed(ObjectId snapshot, String by) {
    return new SessionFinal(snapshot, by);
  }

  public static SessionFinal abandoned(String by) {
    return new SessionFinal(null, by);
  }

  public boolean isCommitted() {
    return snapshot != null;
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(64).u8(VERSION);
    ObjectId s = snapshot;
    if (s != null) {
      w.u8(COMMITTED);
      s.writeTo(w);
    } else {
      w.u8(ABANDONED);
    }
    return w.string(by).toByteArray();
  }

  public static SessionFinal decode(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    if (r.u8() != VERSION) {
      throw new CorruptDataException("session final has an unsupported version");
    }
    int kind = r.u8();
    ObjectId snapshot = switch (kind) {
      case COMMITTED -> ObjectId.read(r);
      case ABANDONED -> null;
      default -> throw new CorruptDataException("unknown session outcome " + kind);
    };
    String by = r.string(1024, "claimant");
    r.expectEnd("session final");
    return new SessionFinal(snapshot, by);
  }
}
