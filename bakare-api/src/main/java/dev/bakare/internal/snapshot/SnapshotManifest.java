package dev.bakare.internal.snapshot;

import dev.bakare.FileError;
import dev.bakare.SnapshotStats;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.ByteReader;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot as stored: {@code "BKS1" | varint summaryLength | sealed summary | sealed detail}. The
 * summary (time, host, tags, statistics) is sealed with the index key, so write-key hosts can list
 * snapshots; the detail (paths, root tree, errors, which name files) is sealed to the master public key
 * and carries the SHA-256 of the sealed summary, so the halves of two snapshots cannot be mixed.
 */
public record SnapshotManifest(Summary summary, @Nullable Detail detail) {
  private static final byte[] MAGIC = "BKS1".getBytes(StandardCharsets.US_ASCII);
  private static final String SUMMARY_PURPOSE = "snapshot summary v1";
  private static final String DETAIL_PURPOSE = "snapshot detail v1";
  private static final int VERSION = 1;
  private static final int MAX_TEXT = 1 << 16;
  private static final int MAX_SECTION = 64 << 20;
  /**
   * Stands for the sealed summary's hash in {@link #encodePlain}: the halves of a cached snapshot are
   * bound by the cache's own seal over both.
   */
  private static final byte[] UNBOUND_SUMMARY = new byte[32];

  /** What any key may read. */
  public record Summary(
      Instant time,
      String host,
      String username,
      List<String> tags,
      @Nullable ObjectId parent,
      SnapshotStats stats) {
    public Summary {
      tags = List.copyOf(tags);
    }
  }

  /** What only the full key may read. */
  public record Detail(List<String> paths, ObjectId rootTree, List<FileError> errors) {
    public Detail {
      paths = List.copyOf(paths);
      errors = List.copyOf(errors);
    }
  }

  public byte[] seal(Sealing sealing) {
    Detail d = detail;
    if (d == null) {
      throw new IllegalStateException("a snapshot is written with its detail");
    }
    byte[] sealedSummary = sealing.sealWithIndexKey(SUMMARY_PURPOSE, encodeSummary(summary));
    byte[] sealedDetail = sealing.sealToMaster(DETAIL_PURPOSE, encodeDetail(d, Crypto.sha256(sealedSummary)));
    return new ByteWriter(sealedSummary.length + sealedDetail.length + 16)
        .bytes(MAGIC).lengthPrefixed(sealedSummary).bytes(sealedDetail).toByteArray();
  }

  /** Opens a stored snapshot; the detail only if {@code sealing} holds the full key. */
  public static SnapshotManifest open(Sealing sealing, byte[] stored) throws CorruptDataException {
    ByteReader r = new ByteReader(stored);
    if (!Arrays.equals(r.bytes(MAGIC.length), MAGIC)) {
      throw new CorruptDataException("no BKS1 magic: not a bakare snapshot, or a newer format");
    }
    byte[] sealedSummary = r.lengthPrefixed(MAX_SECTION, "snapshot summary");
    byte[] sealedDetail = r.bytes(r.remaining());
    Summary summary = decodeSummary(sealing.openWithIndexKey(SUMMARY_PURPOSE, sealedSummary));
    Detail detail = null;
    if (sealing.keys().isFull()) {
      detail = decodeDetail(sealing.openFromMaster(DETAIL_PURPOSE, sealedDetail), Crypto.sha256(sealedSummary));
    }
    return new SnapshotManifest(summary, detail);
  }

  /**
   * The plaintext of both halves, for a local cache that seals it with its own key ({@link SnapshotCache});
   * never stored in a repository. Needs the detail.
   */
  byte[] encodePlain() {
    Detail d = detail;
    if (d == null) {
      throw new IllegalStateException("only a snapshot read with its detail is cached");
    }
    return new ByteWriter(512).lengthPrefixed(encodeSummary(summary))
        .lengthPrefixed(encodeDetail(d, UNBOUND_SUMMARY)).toByteArray();
  }

  /** What {@link #encodePlain} wrote. */
  static SnapshotManifest decodePlain(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    Summary summary = decodeSummary(r.lengthPrefixed(MAX_SECTION, "snapshot summary"));
    Detail detail = decodeDetail(r.lengthPrefixed(MAX_SECTION, "snapshot detail"), UNBOUND_SUMMARY);
    r.expectEnd("cached snapshot");
    return new SnapshotManifest(summary, detail);
  }

  static byte[] encodeSummary(Summary s) {
    ByteWriter w = new ByteWriter(256).u8(VERSION);
    w.zigzag(s.time().getEpochSecond()).varint(s.time().getNano());
    w.string(s.host()).string(s.username()).varint(s.tags().size());
    for (String tag : s.tags()) {
      w.string(tag);
    }
    ObjectId parent = s.parent();
    if (parent == null) {
      w.u8(0);
    } else {
      w.u8(1);
      parent.writeTo(w);
    }
    SnapshotStats st = s.stats();
    w.varint(st.files()).varint(st.unchangedFiles()).varint(st.directories()).varint(st.totalBytes()).varint(st.newBytes())
        .varint(st.storedBytes()).varint(st.errorCount());
    return w.toByteArray();
  }

  static Summary decodeSummary(byte[] plain) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    expectVersion(r, "snapshot summary");
    long seconds = r.zigzag();
    long nanos = r.varintAtMost(999_999_999, "nanoseconds");
    Instant time;
    try {
      time = Instant.ofEpochSecond(seconds, nanos);
    } catch (DateTimeException e) {
      throw new CorruptDataException("snapshot time out of range", e);
    }
    String host = r.string(MAX_TEXT, "host");
    String user = r.string(MAX_TEXT, "user");
    int tagCount = r.count(1, "tag");
    List<String> tags = new ArrayList<>(tagCount);
    for (int i = 0; i < tagCount; i++) {
      tags.add(r.string(MAX_TEXT, "tag"));
    }
    int hasParent = r.u8();
    if (hasParent > 1) {
      throw new CorruptDataException("bad parent flag " + hasParent);
    }
    ObjectId parent = hasParent == 1 ? ObjectId.read(r) : null;
    SnapshotStats stats = new SnapshotStats(nonNegative(r), nonNegative(r), nonNegative(r), nonNegative(r),
        nonNegative(r), nonNegative(r), nonNegative(r));
    r.expectEnd("snapshot summary");
    return new Summary(time, host, user, tags, parent, stats);
  }

  static byte[] encodeDetail(Detail d, byte[] summaryHash) {
    ByteWriter w = new ByteWriter(256).u8(VERSION).bytes(summaryHash).varint(d.paths().size());
    for (String path : d.paths()) {
      w.string(path);
    }
    d.rootTree().writeTo(w);
    w.varint(d.errors().size());
    for (FileError e : d.errors()) {
      w.string(e.path()).string(e.reason());
    }
    return w.toByteArray();
  }

  static Detail decodeDetail(byte[] plain, byte[] summaryHash) throws CorruptDataException {
    ByteReader r = new ByteReader(plain);
    expectVersion(r, "snapshot detail");
    if (!Crypto.constantTimeEquals(r.bytes(32), summaryHash)) {
      throw new CorruptDataException("the snapshot detail belongs to another snapshot's summary");
    }
    int pathCount = r.count(1, "path");
    List<String> paths = new ArrayList<>(pathCount);
    for (int i = 0; i < pathCount; i++) {
      paths.add(r.string(MAX_TEXT, "path"));
    }
    ObjectId root = ObjectId.read(r);
    int errorCount = r.count(2, "error");
    List<FileError> errors = new ArrayList<>(errorCount);
    for (int i = 0; i < errorCount; i++) {
      errors.add(new FileError(r.string(MAX_TEXT, "error path"), r.string(MAX_TEXT, "error reason")));
    }
    r.expectEnd("snapshot detail");
    return new Detail(paths, root, errors);
  }

  private static void expectVersion(ByteReader r, String what) throws CorruptDataException {
    int version = r.u8();
    if (version != VERSION) {
      throw new CorruptDataException(what + " version " + version + " is not supported");
    }
  }

  private static long nonNegative(ByteReader r) throws CorruptDataException {
    return r.varintAtMost(Long.MAX_VALUE, "counter");
  }
}
