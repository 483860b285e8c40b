package dev.bakare.internal.format;

import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.protocol.ProtocolLayout;
import dev.bakare.store.spi.BlobName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Names in a listing come from storage too: a foreign or damaged file under {@code data/}, {@code index/},
 * {@code snapshots/} or {@code leases/} must be ignored, never crash the listing. Input: the name's UTF-8
 * bytes.
 */
class BlobNameFuzzTest {
  @FuzzTest
  void name(FuzzedDataProvider data) throws Exception {
    String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
    decodesOrRejects(() -> parse(text));
  }

  private static int parse(String text) {
    if (!BlobName.isValid(text)) {
      return 0;
    }
    BlobName name = BlobName.of(text);
    int found = 0;
    for (String prefix : List.of(Layout.DATA, Layout.INDEX, Layout.SNAPSHOTS, Layout.KEYS)) {
      found += Layout.idOf(name, prefix).isPresent() ? 1 : 0;
    }
    return found + (ProtocolLayout.leaseSequence(name).isPresent() ? 1 : 0);
  }

  @Test
  void committedSeedsAreValidEncodings() {
    String hex = "0123456789abcdef".repeat(4);
    List<byte[]> names = List.of(("data/01/" + hex).getBytes(StandardCharsets.UTF_8),
        ("index/" + hex).getBytes(StandardCharsets.UTF_8), ("snapshots/" + hex).getBytes(StandardCharsets.UTF_8),
        "leases/00000000000000ff".getBytes(StandardCharsets.UTF_8));
    for (byte[] seed : FuzzSupport.seeds(getClass(), "name", () -> names)) {
      assertEquals(1, parse(new String(seed, StandardCharsets.UTF_8)), new String(seed, StandardCharsets.UTF_8));
    }
    // Non-ASCII digits are digits to Character.digit, but not hex digits of a name (HexFormat rejects them).
    assertFalse(ObjectId.isHex("\uff10".repeat(64)));
    assertFalse(ObjectId.isHex("0123456789ABCDEF".repeat(4)));
  }
}
