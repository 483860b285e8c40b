package dev.bakare.internal.protocol;

import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import java.time.Duration;
import java.time.Instant;

/**
 * What a writer records when its session starts: who it is, for messages and for humans diagnosing a
 * stuck repository. Sealed with the index key, purpose {@value #PURPOSE}.
 */
public record SessionStart(String host, long pid, Instant started, Duration heartbeat) {
  public static final String PURPOSE = "session v1";
  private static final int VERSION = 1;

  public byte[] encode() {
    return new ByteWriter(64).u8(VERSION).string(host).varint(pid).zigzag(started.getEpochSecond())
        .varint(started.getNano()).varint(heartbeat.toMillis()).toByteArray();
  }

  public static SessionStart decode(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    if (r.u8() != VERSION) {
      throw new CorruptDataException("session start has an unsupported version");
    }
    String host = r.string(1024, "host");
    long pid = r.varint();
    long seconds = r.zigzag();
    long nanos = r.varintAtMost(999_999_999, "nanoseconds");
    long heartbeatMillis = r.varint();
    r.expectEnd("session start");
    try {
      return new SessionStart(host, pid, Instant.ofEpochSecond(seconds, nanos), Duration.ofMillis(heartbeatMillis));
    } catch (java.time.DateTimeException | ArithmeticException e) {
      throw new CorruptDataException("session start time out of range", e);
    }
  }
}
