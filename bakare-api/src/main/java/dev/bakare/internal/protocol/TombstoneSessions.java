package dev.bakare.internal.protocol;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The writer sessions a prune found after writing its tombstone: exactly the sessions that may have
 * loaded the index without seeing the tombstone. Any later session sees the tombstone, because it lists
 * tombstones after writing its own start. Sealed with the index key, purpose {@value #PURPOSE}.
 */
public record TombstoneSessions(List<String> sessions) {
  public static final String PURPOSE = "tombstone sessions v1";
  private static final int VERSION = 1;
  private static final HexFormat HEX = HexFormat.of();

  public TombstoneSessions {
    sessions = List.copyOf(sessions);
  }

  public byte[] encode() {
    ByteWriter w = new ByteWriter(8 + sessions.size() * 16).u8(VERSION).varint(sessions.size());
    for (String session : sessions) {
      w.bytes(HEX.parseHex(session));
    }
    return w.toByteArray();
  }

  public static TombstoneSessions decode(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    if (r.u8() != VERSION) {
      throw new CorruptDataException("tombstone sessions have an unsupported version");
    }
    int count = r.count(16, "session");
    List<String> sessions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      sessions.add(HEX.formatHex(r.bytes(16)));
    }
    r.expectEnd("tombstone sessions");
    return new TombstoneSessions(sessions);
  }
}
