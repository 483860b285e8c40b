package dev.bakare.internal.snapshot;

import static dev.bakare.internal.FuzzSupport.FULL;
import static dev.bakare.internal.FuzzSupport.WRITE;
import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.FileError;
import dev.bakare.SnapshotStats;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots: both plaintext halves, and the stored blob opened with the full key (both halves) and with a
 * write key (the summary only). The detail input is {@code summary hash [32] | detail plaintext}: the
 * decoder checks the hash, so the fuzzer is handed the one that matches its seeds.
 */
class SnapshotManifestFuzzTest {
  @FuzzTest
  void summary(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> SnapshotManifest.decodeSummary(input));
  }

  @FuzzTest
  void detail(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> decodeDetailInput(input));
  }

  private static SnapshotManifest.Detail decodeDetailInput(byte[] input) throws CorruptDataException {
    if (input.length < 32) {
      throw new CorruptDataException("shorter than the summary hash");
    }
    return SnapshotManifest.decodeDetail(Arrays.copyOfRange(input, 32, input.length), Arrays.copyOf(input, 32));
  }

  @FuzzTest
  void sealed(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> SnapshotManifest.open(FULL, input));
    decodesOrRejects(() -> SnapshotManifest.open(WRITE, input));
  }

  static List<SnapshotManifest> samples() {
    SnapshotManifest.Summary minimal = new SnapshotManifest.Summary(Instant.EPOCH, "", "", List.of(), null,
        new SnapshotStats(0, 0, 0, 0, 0, 0, 0));
    SnapshotManifest.Summary full = new SnapshotManifest.Summary(Instant.ofEpochSecond(1_700_000_000L, 5), "host-a",
        "me", List.of("daily", "repaired"), ObjectId.wrap(new byte[32]), new SnapshotStats(10, 4, 3, 123_456, 1000, 800, 1));
    SnapshotManifest.Detail root = new SnapshotManifest.Detail(List.of("/"), ObjectId.wrap(new byte[32]), List.of());
    SnapshotManifest.Detail some = new SnapshotManifest.Detail(List.of("/home/me/docs", "/etc"),
        ObjectId.wrap(FuzzSupport.filled(32, 0x3c)), List.of(new FileError("/etc/shadow", "permission denied")));
    return List.of(new SnapshotManifest(minimal, root), new SnapshotManifest(full, some));
  }


  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    List<byte[]> summaries = new ArrayList<>();
    List<byte[]> details = new ArrayList<>();
    for (SnapshotManifest m : samples()) {
      summaries.add(SnapshotManifest.encodeSummary(m.summary()));
      byte[] hash = FuzzSupport.filled(32, 0x5a);
      details.add(new ByteWriter().bytes(hash).bytes(SnapshotManifest.encodeDetail(m.detail(), hash)).toByteArray());
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "summary", () -> summaries)) {
      SnapshotManifest.decodeSummary(seed);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "detail", () -> details)) {
      decodeDetailInput(seed);
    }
    List<byte[]> sealed = samples().stream().map(m -> m.seal(FULL)).toList();
    List<byte[]> seeds = FuzzSupport.seeds(getClass(), "sealed", () -> sealed);
    assertEquals(sealed.size(), seeds.size());
    for (byte[] seed : seeds) {
      assertNotNull(SnapshotManifest.open(FULL, seed).detail());
      assertNull(SnapshotManifest.open(WRITE, seed).detail());
    }
  }
}
