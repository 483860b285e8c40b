package dev.bakare.internal.protocol;

import static dev.bakare.internal.FuzzSupport.FULL;
import static dev.bakare.internal.FuzzSupport.WRITE;
import static dev.bakare.internal.FuzzSupport.decodesOrRejects;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The blobs of the concurrency protocol (design section 12.2): session start, session final, tombstone
 * packs and tombstone sessions. Each plaintext decoder, and the sealed blobs, whose input is {@code u8
 * kind (0 start, 1 final, 2 tombstone, 3 tombstone sessions) | sealed blob}.
 */
class ProtocolBlobFuzzTest {
  @FuzzTest
  void sessionStart(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> SessionStart.decode(input));
  }

  @FuzzTest
  void sessionFinal(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> SessionFinal.decode(input));
  }

  @FuzzTest
  void tombstone(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> Tombstone.decode(input));
  }

  @FuzzTest
  void tombstoneSessions(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> TombstoneSessions.decode(input));
  }

  @FuzzTest
  void sealed(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> openSealed(input));
  }

  private static Object openSealed(byte[] input) throws CorruptDataException {
    if (input.length < 1) {
      throw new CorruptDataException("empty");
    }
    byte[] sealed = Arrays.copyOfRange(input, 1, input.length);
    return switch (input[0] & 3) {
      case 0 -> SessionStart.decode(WRITE.openWithIndexKey(SessionStart.PURPOSE, sealed));
      case 1 -> SessionFinal.decode(WRITE.openWithIndexKey(SessionFinal.PURPOSE, sealed));
      case 2 -> Tombstone.decode(WRITE.openWithIndexKey(Tombstone.PURPOSE, sealed));
      default -> TombstoneSessions.decode(WRITE.openWithIndexKey(TombstoneSessions.PURPOSE, sealed));
    };
  }

  private static byte[] sealedInput(int kind, String purpose, byte[] plain) {
    return new ByteWriter().u8(kind).bytes(FULL.sealWithIndexKey(purpose, plain)).toByteArray();
  }

  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    List<byte[]> starts = List.of(
        new SessionStart("host", 4242, Instant.ofEpochSecond(1_700_000_000L, 17), Duration.ofSeconds(60)).encode(),
        new SessionStart("", 0, Instant.EPOCH, Duration.ZERO).encode());
    List<byte[]> finals = List.of(SessionFinal.committed(ObjectId.wrap(new byte[32]), "host").encode(),
        SessionFinal.maintenance("prune-1").encode(), SessionFinal.abandoned("prune-2").encode());
    byte[] packId = new byte[32];
    packId[7] = 7;
    List<byte[]> tombstones = List.of(new Tombstone(Instant.EPOCH, List.of()).encode(),
        new Tombstone(Instant.ofEpochSecond(1_700_000_000L), List.of(ObjectId.wrap(packId), ObjectId.wrap(new byte[32]))).encode());
    List<byte[]> sessions = List.of(new TombstoneSessions(List.of()).encode(),
        new TombstoneSessions(List.of("00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100")).encode());
    for (byte[] seed : FuzzSupport.seeds(getClass(), "sessionStart", () -> starts)) {
      SessionStart.decode(seed);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "sessionFinal", () -> finals)) {
      SessionFinal.decode(seed);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "tombstone", () -> tombstones)) {
      Tombstone.decode(seed);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "tombstoneSessions", () -> sessions)) {
      TombstoneSessions.decode(seed);
    }
    List<byte[]> sealed = new ArrayList<>();
    starts.forEach(p -> sealed.add(sealedInput(0, SessionStart.PURPOSE, p)));
    finals.forEach(p -> sealed.add(sealedInput(1, SessionFinal.PURPOSE, p)));
    tombstones.forEach(p -> sealed.add(sealedInput(2, Tombstone.PURPOSE, p)));
    sessions.forEach(p -> sealed.add(sealedInput(3, TombstoneSessions.PURPOSE, p)));
    for (byte[] seed : FuzzSupport.seeds(getClass(), "sealed", () -> sealed)) {
      openSealed(seed);
    }
  }
}
