package dev.bakare.internal.protocol;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A prune's mark: packs that no snapshot referenced when it looked. Writers treat their chunks as absent;
 * a later prune deletes those still unreferenced once every session that might have deduplicated against
 * them is resolved. Stored as {@code tombstones/<id>/packs}, sealed with the index key, purpose {@value
 * #PURPOSE}; the sessions are in a second blob (see {@link TombstoneSessions}) written after this one.
 *
 * @param marked when the mark was made, by the store's clock
 * @param packs the packs to delete
 */
public record Tombstone(Instant marked, List<ObjectId> packs) {
  public static final String PURPOSE = "tombstone v1";
  private static final int VERSION = 1;

  public Tombstone {
    packs = List.copyOf(packs);
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(32 + packs.size() * 32).u8(VERSION).zigzag(marked.getEpochSecond())
        .varint(marked.getNano()).varint(packs.size());
    for (ObjectId pack : packs) {
      pack.writeTo(w);
    }
    return w.toByteArray();
  }

  public static Tombstone decode(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    if (r.u8() != VERSION) {
      throw new CorruptDataException("tombstone has an unsupported version");
    }
    long seconds = r.zigzag();
    long nanos = r.varintAtMost(999_999_999, "nanoseconds");
    int count = r.count(ObjectId.LENGTH, "pack");
    List<ObjectId> packs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      packs.add(ObjectId.read(r));
    }
    r.expectEnd("tombstone");
    try {
      return new Tombstone(Instant.ofEpochSecond(seconds, nanos), packs);
    } catch (java.time.DateTimeException e) {
      throw new CorruptDataException("tombstone time out of range", e);
    }
  }
}
