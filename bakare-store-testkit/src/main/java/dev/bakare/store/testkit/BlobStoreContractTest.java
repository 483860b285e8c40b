package dev.bakare.store.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StagedBlob;
import dev.bakare.store.spi.StorageException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite for {@link BlobStore}: every guarantee in its Javadoc, checked against a real
 * store with real threads. A provider runs it by subclassing:
 *
 * <pre>{@code
 * class FileBlobStoreContractTest extends BlobStoreContractTest {
 *   @TempDir Path dir;
 *
 *   @Override
 *   protected BlobStore openEmptyStore() throws Exception {
 *     return StorageProviders.open(StorageLocation.parse(dir.toString(), Map.of()), OpenMode.CREATE);
 *   }
 * }
 * }</pre>
 *
 * <p>Every test gets a fresh, empty store from {@link #openEmptyStore()} and the kit closes it after the
 * test. The test methods are public so that a provider can override one, to mark it {@code @Disabled}
 * with its reason, without hiding it from the report.
 */
public abstract class BlobStoreContractTest {
  private static final int MIB = 1 << 20;
  private static final long TASK_DEADLINE_SECONDS = 120;

  private @Nullable BlobStore store;

  /** Opens a new, empty store; the kit closes it after the test. */
  protected abstract BlobStore openEmptyStore() throws Exception;

  /** The size of the blob in the large-blob test; smaller for slow remote stores. */
  protected int largeBlobSize() {
    return 24 * MIB;
  }

  /** How many threads the concurrency tests run at once. */
  protected int concurrency() {
    return 8;
  }

  /** How many rounds the concurrency tests repeat: more rounds find rarer races, at the cost of time. */
  protected int concurrentRounds() {
    return 16;
  }

  @BeforeEach
  public final void openStore() throws Exception {
    store = openEmptyStore();
  }

  @AfterEach
  public final void closeStore() throws Exception {
    BlobStore opened = store;
    store = null;
    if (opened != null) {
      opened.close();
    }
  }

  /** The store under test. */
  protected final BlobStore store() {
    BlobStore opened = store;
    if (opened == null) {
      throw new IllegalStateException("no store is open: store() is for use inside a test method");
    }
    return opened;
  }

  // ---------------------------------------------------------------- put and get

  @Test
  public void emptyBlobRoundTrips() throws Exception {
    assertRoundTrip(name("empty"), new byte[0], PutMode.CREATE_ONLY);
  }

  @Test
  public void oneByteBlobRoundTrips() throws Exception {
    assertRoundTrip(name("one"), new byte[] {(byte) 0xA5}, PutMode.CREATE_ONLY);
  }

  @Test
  public void blobsOfAssortedSizesRoundTrip() throws Exception {
    Random random = new Random(20240611);
    List<Integer> sizes = new ArrayList<>(List.of(2, 3, 100, 4095, 4096, 4097, 65535, 65536, 65537, MIB + 7));
    for (int i = 0; i < 8; i++) {
      sizes.add(random.nextInt(256 * 1024));
    }
    Map<BlobName, byte[]> written = new TreeMap<>();
    for (int i = 0; i < sizes.size(); i++) {
      BlobName name = name("sizes/blob-" + i);
      byte[] content = randomBytes(random, sizes.get(i));
      assertRoundTrip(name, content, i % 2 == 0 ? PutMode.CREATE_ONLY : PutMode.REPLACE);
      written.put(name, content);
    }
    for (Map.Entry<BlobName, byte[]> blob : written.entrySet()) {
      assertArrayEquals(
          blob.getValue(), bytesOf(store().get(blob.getKey())), "blob " + blob.getKey() + " changed after later puts");
    }
  }

  @Test
  public void largeBlobRoundTripsAndReadsInRanges() throws Exception {
    int size = largeBlobSize();
    assumeTrue(size <= store().capabilities().maxBlobSize(), "store's maxBlobSize is below largeBlobSize()");
    byte[] content = randomBytes(new Random(size), size);
    BlobName name = name("data/large");
    assertRoundTrip(name, content, PutMode.REPLACE);
    int middle = size / 3;
    int length = Math.min(5 * MIB, size - middle);
    assertArrayEquals(
        Arrays.copyOfRange(content, middle, middle + length),
        bytesOf(store().get(name, middle, length)),
        "range of " + length + " bytes at offset " + middle + " of the large blob");
    int tail = Math.min(1000, size);
    assertArrayEquals(
        Arrays.copyOfRange(content, size - tail, size),
        bytesOf(store().get(name, size - tail, tail)),
        "last " + tail + " bytes of the large blob");
  }

  @Test
  public void putStoresOnlyTheRemainingBytesAndLeavesTheBufferAlone() throws Exception {
    byte[] backing = randomBytes(new Random(7), 20);
    byte[] expected = Arrays.copyOfRange(backing, 3, 13);

    ByteBuffer heap = ByteBuffer.wrap(backing).position(3).limit(13);
    store().put(name("buffers/heap"), heap, PutMode.CREATE_ONLY);
    assertEquals(3, heap.position(), "put moved the position of the caller's buffer");
    assertEquals(13, heap.limit(), "put moved the limit of the caller's buffer");

    ByteBuffer direct = ByteBuffer.allocateDirect(20).put(backing).position(3).limit(13);
    store().put(name("buffers/direct"), direct, PutMode.CREATE_ONLY);
    assertEquals(3, direct.position(), "put moved the position of a direct buffer");

    ByteBuffer readOnly = ByteBuffer.wrap(backing).position(3).limit(13).asReadOnlyBuffer();
    store().put(name("buffers/read-only"), readOnly, PutMode.CREATE_ONLY);
    assertEquals(3, readOnly.position(), "put moved the position of a read-only buffer");

    for (String kind : List.of("heap", "direct", "read-only")) {
      BlobName name = name("buffers/" + kind);
      assertArrayEquals(expected, bytesOf(store().get(name)), "content of " + name);
    }
  }

  @Test
  public void putCopiesTheContent() throws Exception {
    byte[] content = randomBytes(new Random(11), 4096);
    byte[] original = content.clone();
    BlobName name = name("copies/put");
    store().put(name, ByteBuffer.wrap(content), PutMode.CREATE_ONLY);
    Arrays.fill(content, (byte) 0);
    assertArrayEquals(original, bytesOf(store().get(name)), "changing the caller's array after put changed the blob");
  }

  @Test
  public void getReturnsBuffersTheCallerOwns() throws Exception {
    byte[] content = randomBytes(new Random(13), 4096);
    BlobName name = name("copies/get");
    store().put(name, ByteBuffer.wrap(content), PutMode.CREATE_ONLY);

    ByteBuffer first = store().get(name);
    ByteBuffer second = store().get(name);
    ByteBuffer range = store().get(name, 100, 200);
    scribbleOver(first);
    scribbleOver(range);
    assertArrayEquals(content, bytesOf(second), "changing one returned buffer changed another");
    assertArrayEquals(content, bytesOf(store().get(name)), "changing a returned buffer changed the blob");
    assertArrayEquals(
        Arrays.copyOfRange(content, 100, 300), bytesOf(store().get(name, 100, 200)), "range after scribbling");

    ByteBuffer consumed = store().get(name);
    consumed.position(consumed.limit());
    assertEquals(content.length, store().get(name).remaining(), "reading a returned buffer affected later gets");
  }

  // ---------------------------------------------------------------- range get

  @Test
  public void rangeGetReadsStartMiddleAndEnd() throws Exception {
    byte[] content = randomBytes(new Random(17), 10_000);
    BlobName name = name("ranges/blob");
    store().put(name, ByteBuffer.wrap(content), PutMode.CREATE_ONLY);
    int[][] ranges = {{0, 1}, {0, 100}, {4321, 1234}, {9_999, 1}, {9_000, 1000}, {0, 10_000}};
    for (int[] range : ranges) {
      assertArrayEquals(
          Arrays.copyOfRange(content, range[0], range[0] + range[1]),
          bytesOf(store().get(name, range[0], range[1])),
          "range of " + range[1] + " bytes at offset " + range[0]);
    }
  }

  @Test
  public void rangeGetOfZeroBytesSucceedsUpToTheEnd() throws Exception {
    BlobName name = name("ranges/small");
    store().put(name, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_ONLY);
    for (long offset = 0; offset <= 3; offset++) {
      assertEquals(0, store().get(name, offset, 0).remaining(), "zero-length range at offset " + offset);
    }
    BlobName empty = name("ranges/empty");
    store().put(empty, ByteBuffer.allocate(0), PutMode.CREATE_ONLY);
    assertEquals(0, store().get(empty, 0, 0).remaining(), "zero-length range of an empty blob");
  }

  @Test
  public void rangeGetPastTheEndFailsPermanentlyNamingTheBlob() throws Exception {
    BlobName name = name("ranges/hundred");
    store().put(name, ByteBuffer.wrap(new byte[100]), PutMode.CREATE_ONLY);
    long[][] ranges = {{100, 1}, {99, 2}, {0, 101}, {101, 0}, {1000, 10}, {Long.MAX_VALUE, 1}, {Long.MAX_VALUE - 5, 10}};
    for (long[] range : ranges) {
      String what = "range of " + range[1] + " bytes at offset " + range[0] + " of a 100-byte blob";
      StorageException e =
          assertThrows(StorageException.class, () -> store().get(name, range[0], (int) range[1]), what);
      assertFalse(e instanceof BlobNotFoundException, what + ": the blob exists, but the store said " + e);
      assertFalse(e.isTransient(), what + ": retrying cannot help, but the error is transient: " + e);
      assertMentions(e, name);
    }
    BlobName empty = name("ranges/empty");
    store().put(empty, ByteBuffer.allocate(0), PutMode.CREATE_ONLY);
    assertThrows(StorageException.class, () -> store().get(empty, 0, 1), "one byte of an empty blob");
  }

  @Test
  public void rangeGetWithNegativeArgumentsIsRejected() throws Exception {
    BlobName name = name("ranges/negative");
    store().put(name, ByteBuffer.wrap(new byte[10]), PutMode.CREATE_ONLY);
    assertThrows(IllegalArgumentException.class, () -> store().get(name, -1, 1), "negative offset");
    assertThrows(IllegalArgumentException.class, () -> store().get(name, 0, -1), "negative length");
    assertThrows(IllegalArgumentException.class, () -> store().get(name, Long.MIN_VALUE, 0), "minimal offset");
  }

  @Test
  public void readIntoABufferFillsOnlyItsRemainingBytes() throws Exception {
    byte[] content = randomBytes(new Random(23), 3 << 20);
    BlobName name = name("ranges/into");
    store().put(name, ByteBuffer.wrap(content), PutMode.CREATE_ONLY);
    int[][] ranges = {{0, 1}, {4321, 1234}, {(3 << 20) - 7, 7}, {5, (3 << 20) - 5}, {100, 0}};
    for (int[] range : ranges) {
      String what = "read of " + range[1] + " bytes at offset " + range[0];
      // A buffer that is reused: bytes before its position and after its limit must stay as they were.
      byte[] target = new byte[range[1] + 20];
      Arrays.fill(target, (byte) 0x5a);
      ByteBuffer into = ByteBuffer.wrap(target, 9, range[1]);
      store().read(name, range[0], into);
      assertEquals(9 + range[1], into.position(), what + ": position after the read");
      assertEquals(9 + range[1], into.limit(), what + ": limit after the read");
      assertArrayEquals(Arrays.copyOfRange(content, range[0], range[0] + range[1]),
          Arrays.copyOfRange(target, 9, 9 + range[1]), what);
      for (int i : new int[] {0, 8, 9 + range[1], target.length - 1}) {
        assertEquals((byte) 0x5a, target[i], what + ": byte " + i + " outside the buffer's remaining bytes changed");
      }
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(1000);
    store().read(name, 2000, direct);
    assertArrayEquals(Arrays.copyOfRange(content, 2000, 3000), bytesOf(direct.flip()), "read into a direct buffer");
  }

  @Test
  public void readPastTheEndOrOfAMissingBlobFailsNamingTheBlob() throws Exception {
    BlobName name = name("ranges/short");
    store().put(name, ByteBuffer.wrap(new byte[100]), PutMode.CREATE_ONLY);
    StorageException past = assertThrows(StorageException.class,
        () -> store().read(name, 50, ByteBuffer.allocate(51)), "read of 51 bytes at offset 50 of a 100-byte blob");
    assertFalse(past instanceof BlobNotFoundException, "the blob exists, but the store said " + past);
    assertFalse(past.isTransient(), "retrying cannot help, but the error is transient: " + past);
    assertMentions(past, name);
    BlobName missing = name("data/00/missing-read");
    assertNotFound(assertThrows(BlobNotFoundException.class, () -> store().read(missing, 0, ByteBuffer.allocate(1))),
        missing);
    assertThrows(IllegalArgumentException.class, () -> store().read(name, -1, ByteBuffer.allocate(1)), "negative offset");
  }

  // ---------------------------------------------------------------- missing blobs and stat

  @Test
  public void getOfAMissingBlobFailsNamingTheBlob() throws Exception {
    BlobName name = name("data/00/missing");
    BlobNotFoundException whole = assertThrows(BlobNotFoundException.class, () -> store().get(name));
    assertNotFound(whole, name);
    BlobNotFoundException range = assertThrows(BlobNotFoundException.class, () -> store().get(name, 0, 0));
    assertNotFound(range, name);
  }

  @Test
  public void statOfAMissingBlobIsEmpty() throws Exception {
    assertEquals(Optional.empty(), store().stat(name("data/00/missing")));
  }

  @Test
  public void statReportsNameAndSize() throws Exception {
    BlobName name = name("stat/blob");
    store().put(name, ByteBuffer.wrap(new byte[1234]), PutMode.CREATE_ONLY);
    BlobInfo info = store().stat(name).orElseThrow(() -> new AssertionError("stat found no blob " + name));
    assertEquals(name, info.name());
    assertEquals(1234, info.size(), "size of " + name);
  }

  @Test
  public void theParentOfABlobNameIsNotABlob() throws Exception {
    BlobName child = name("data/ab/abcd");
    BlobName parent = name("data/ab");
    store().put(child, ByteBuffer.wrap(new byte[] {42}), PutMode.CREATE_ONLY);
    assertEquals(Optional.empty(), store().stat(parent), "stat of " + parent + ", which only prefixes a blob");
    assertNotFound(assertThrows(BlobNotFoundException.class, () -> store().get(parent)), parent);
    store().delete(parent);
    assertArrayEquals(new byte[] {42}, bytesOf(store().get(child)), "deleting " + parent + " touched " + child);
    assertEquals(Map.of(child.value(), 1L), listSizes("data/ab"));
  }

  @Test
  public void namesMayUseEveryAllowedCharacterAndTheMaximalLengths() throws Exception {
    String longest = "a".repeat(255) + "/" + "b".repeat(255) + "/" + "c".repeat(255) + "/" + "d".repeat(254) + "/e";
    assertEquals(BlobName.MAX_LENGTH, longest.length());
    List<BlobName> names =
        List.of(
            name("chars/ABCXYZ-abcxyz_0189.ext"),
            name("chars/.hidden"),
            name("chars/..double"),
            name("chars/trailing."),
            name("chars/-_-"),
            name("segment/" + "s".repeat(255)),
            name(longest));
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < names.size(); i++) {
      byte[] content = randomBytes(new Random(i), 10 + i);
      assertRoundTrip(names.get(i), content, PutMode.CREATE_ONLY);
      expected.put(names.get(i).value(), (long) content.length);
    }
    assertEquals(expected, listSizes(""), "listing of the stored names");
  }

  // ---------------------------------------------------------------- list

  @Test
  public void listOfAnEmptyStoreReportsNothing() throws Exception {
    assertEquals(Map.of(), listSizes(""));
    assertEquals(Map.of(), listSizes("data/"));
  }

  @Test
  public void listReportsEveryBlobUnderThePrefixOnceWithItsSize() throws Exception {
    List<String> names =
        List.of(
            "config",
            "dat",
            "data-x",
            "data/ab/abcd",
            "data/ab/abef",
            "data/ab/ab",
            "data/ac/ac01",
            "data/b0/b0ff",
            "deep/a/b/c/d/e/f",
            "index/i-1",
            "keys/k1");
    Map<String, Long> all = new TreeMap<>();
    for (int i = 0; i < names.size(); i++) {
      int size = 10 + 3 * i;
      store().put(name(names.get(i)), ByteBuffer.wrap(new byte[size]), PutMode.CREATE_ONLY);
      all.put(names.get(i), (long) size);
    }
    List<String> prefixes =
        List.of(
            "",
            "d",
            "dat",
            "data",
            "data/",
            "data/a",
            "data/ab",
            "data/ab/",
            "data/ab/ab",
            "data/ab/abc",
            "data/ab/abcd",
            "data/ab/abcde",
            "data/zz/",
            "deep/a/b/",
            "index/",
            "zzz");
    for (String prefix : prefixes) {
      Map<String, Long> expected = new TreeMap<>();
      all.forEach((name, size) -> {
        if (name.startsWith(prefix)) {
          expected.put(name, size);
        }
      });
      assertEquals(expected, listSizes(prefix), "listing of prefix '" + prefix + "'");
    }
  }

  @Test
  public void listRejectsInvalidPrefixes() {
    for (String prefix : List.of("../", "/data", "data//", "data/../x", "./", "bad name", "data/é")) {
      assertThrows(
          IllegalArgumentException.class, () -> store().list(prefix, info -> {}), "listing of prefix '" + prefix + "'");
    }
  }

  @Test
  public void listReflectsDeletesAndReplacements() throws Exception {
    store().put(name("list/kept"), ByteBuffer.wrap(new byte[5]), PutMode.CREATE_ONLY);
    store().put(name("list/deleted"), ByteBuffer.wrap(new byte[6]), PutMode.CREATE_ONLY);
    store().put(name("list/replaced"), ByteBuffer.wrap(new byte[7]), PutMode.CREATE_ONLY);
    store().delete(name("list/deleted"));
    store().put(name("list/replaced"), ByteBuffer.wrap(new byte[70]), PutMode.REPLACE);
    assertEquals(Map.of("list/kept", 5L, "list/replaced", 70L), listSizes("list/"));
  }

  // ---------------------------------------------------------------- delete

  @Test
  public void deleteRemovesOnlyThatBlobAndIsIdempotent() throws Exception {
    BlobName doomed = name("data/aa/doomed");
    BlobName sibling = name("data/aa/sibling");
    store().put(doomed, ByteBuffer.wrap(new byte[] {1}), PutMode.CREATE_ONLY);
    store().put(sibling, ByteBuffer.wrap(new byte[] {2}), PutMode.CREATE_ONLY);

    store().delete(doomed);
    assertNotFound(assertThrows(BlobNotFoundException.class, () -> store().get(doomed)), doomed);
    assertEquals(Optional.empty(), store().stat(doomed), "stat after delete");
    store().delete(doomed);
    store().delete(name("never/existed"));
    assertArrayEquals(new byte[] {2}, bytesOf(store().get(sibling)), "deleting a blob touched its sibling");
    assertEquals(Map.of(sibling.value(), 1L), listSizes(""));
  }

  // ---------------------------------------------------------------- put modes

  // ---------------------------------------------------------------- put from a file

  @TempDir
  @Nullable Path sourceDirectory;

  @Test
  public void putFromStoresThePrefixOfTheFileAndLeavesItsPositionAlone() throws Exception {
    Random random = new Random(20261127);
    byte[] file = randomBytes(random, 3 * MIB + 5);
    try (FileChannel source = openSource(file)) {
      source.position(1234);
      int[] lengths = {0, 1, 4096, MIB + 3, file.length};
      for (int i = 0; i < lengths.length; i++) {
        BlobName name = name("data/from-file-" + i);
        store().putFrom(name, source, lengths[i], i % 2 == 0 ? PutMode.CREATE_ONLY : PutMode.REPLACE);
        assertArrayEquals(Arrays.copyOf(file, lengths[i]), bytesOf(store().get(name)),
            "blob put from the first " + lengths[i] + " bytes of a file");
        assertEquals(lengths[i], store().stat(name).orElseThrow().size());
      }
      assertEquals(1234, source.position(), "putFrom moved the channel's position");
    }
  }

  @Test
  public void largeBlobPutFromAFileRoundTrips() throws Exception {
    int size = largeBlobSize();
    assumeTrue(size <= store().capabilities().maxBlobSize(), "store's maxBlobSize is below largeBlobSize()");
    byte[] content = randomBytes(new Random(size + 1), size);
    BlobName name = name("data/large-from-file");
    try (FileChannel source = openSource(content)) {
      store().putFrom(name, source, size, PutMode.CREATE_ONLY);
    }
    assertArrayEquals(content, bytesOf(store().get(name)), "large blob put from a file");
  }

  @Test
  public void putFromWithCreateOnlyRefusesATakenNameAndKeepsTheOriginal() throws Exception {
    BlobName name = name("data/taken");
    store().put(name, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_ONLY);
    try (FileChannel source = openSource(new byte[] {9, 9})) {
      BlobAlreadyExistsException e = assertThrows(
          BlobAlreadyExistsException.class, () -> store().putFrom(name, source, 2, PutMode.CREATE_ONLY));
      assertEquals(name, e.blob());
    }
    assertArrayEquals(new byte[] {1, 2, 3}, bytesOf(store().get(name)), "a refused put changed the blob");
  }

  @Test
  public void putFromAFileShorterThanTheLengthFailsAndStoresNothing() throws Exception {
    BlobName name = name("data/short");
    try (FileChannel source = openSource(new byte[100])) {
      StorageException e =
          assertThrows(StorageException.class, () -> store().putFrom(name, source, 200, PutMode.CREATE_ONLY));
      assertMentions(e, name);
    }
    assertEquals(Optional.empty(), store().stat(name), "a failed put from a short file left a blob");
  }

  private FileChannel openSource(byte[] content) throws java.io.IOException {
    Path directory = sourceDirectory;
    if (directory == null) {
      throw new IllegalStateException("JUnit did not inject the temporary directory");
    }
    Path file = Files.createTempFile(directory, "source-", ".bin");
    Files.write(file, content);
    return FileChannel.open(file, StandardOpenOption.READ);
  }

  // ---------------------------------------------------------------- staged blobs (stores that stage)

  /** A staged blob of the store under test; the test is skipped for a store that does not stage. */
  private StagedBlob stageOrSkip() throws StorageException {
    Optional<StagedBlob> staged = store().stage();
    assumeTrue(staged.isPresent(), "the store does not stage blobs");
    return staged.get();
  }

  private static void writeAt(FileChannel channel, byte[] bytes, int from, int to) throws java.io.IOException {
    ByteBuffer slice = ByteBuffer.wrap(bytes, from, to - from);
    for (long position = from; slice.hasRemaining(); ) {
      position += channel.write(slice, position);
    }
  }

  @Test
  public void aStagedBlobIsInvisibleUntilPublishedAndThenHoldsExactlyItsBytes() throws Exception {
    byte[] content = randomBytes(new Random(77), 3 * MIB + 11);
    BlobName name = name("data/staged");
    try (StagedBlob staged = stageOrSkip()) {
      // Written out of order, as a caller filling a pack's header last may.
      writeAt(staged.channel(), content, MIB, content.length);
      writeAt(staged.channel(), content, 0, MIB);
      assertEquals(Map.of(), listSizes(""), "an unpublished staged blob was listed");
      assertEquals(Optional.empty(), store().stat(name));
      staged.publish(name, PutMode.CREATE_ONLY);
      // Again, as a retry whose first answer was lost does: a put of the same bytes.
      BlobAlreadyExistsException taken =
          assertThrows(BlobAlreadyExistsException.class, () -> staged.publish(name, PutMode.CREATE_ONLY));
      assertEquals(name, taken.blob());
      staged.publish(name("data/again"), PutMode.CREATE_ONLY);
    }
    assertArrayEquals(content, bytesOf(store().get(name)), "the published staged blob");
    assertArrayEquals(content, bytesOf(store().get(name("data/again"))), "the staged blob published again");
    assertEquals(Map.of(name.value(), (long) content.length, "data/again", (long) content.length), listSizes(""),
        "listing after publish and close");
    assertEquals(0, store().removeIncompleteUploads(java.time.Duration.ofMinutes(-1)),
        "publishing and closing left something behind");
  }

  @Test
  public void aStagedBlobClosedUnpublishedLeavesNothingBehind() throws Exception {
    try (StagedBlob staged = stageOrSkip()) {
      writeAt(staged.channel(), new byte[4096], 0, 4096);
    }
    assertEquals(Map.of(), listSizes(""));
    assertEquals(0, store().removeIncompleteUploads(java.time.Duration.ofMinutes(-1)),
        "closing an unpublished staged blob left it behind");
  }

  @Test
  public void publishingAStagedBlobWithCreateOnlyRefusesATakenNameAndKeepsTheOriginal() throws Exception {
    BlobName name = name("data/taken-by-put");
    store().put(name, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_ONLY);
    try (StagedBlob staged = stageOrSkip()) {
      writeAt(staged.channel(), new byte[] {9, 9}, 0, 2);
      BlobAlreadyExistsException e =
          assertThrows(BlobAlreadyExistsException.class, () -> staged.publish(name, PutMode.CREATE_ONLY));
      assertEquals(name, e.blob());
      staged.publish(name, PutMode.REPLACE);
    }
    assertArrayEquals(new byte[] {9, 9}, bytesOf(store().get(name)), "a staged blob published with REPLACE");
  }

  /**
   * The process that staged the blob was paused while another removed leftovers: the open file still holds
   * the bytes, and publishing stores them.
   */
  @Test
  public void aStagedBlobRemovedAsALeftoverStillPublishes() throws Exception {
    byte[] content = randomBytes(new Random(78), MIB + 5);
    BlobName name = name("data/staged-paused");
    try (StagedBlob staged = stageOrSkip()) {
      writeAt(staged.channel(), content, 0, content.length);
      assertEquals(content.length, store().removeIncompleteUploads(java.time.Duration.ofMinutes(-1)),
          "an unpublished staged blob is an incomplete upload");
      staged.publish(name, PutMode.CREATE_ONLY);
    }
    assertArrayEquals(content, bytesOf(store().get(name)));
    assertEquals(0, store().removeIncompleteUploads(java.time.Duration.ofMinutes(-1)));
  }

  @Test
  public void aClosedStoreRefusesToStageOrPublish() throws Exception {
    StagedBlob staged = stageOrSkip();
    writeAt(staged.channel(), new byte[] {1}, 0, 1);
    store().close();
    assertThrows(IllegalStateException.class, () -> store().stage(), "stage");
    assertThrows(IllegalStateException.class, () -> staged.publish(name("data/late"), PutMode.CREATE_ONLY),
        "publish");
    staged.close();
  }

  @Test
  public void aClosedStagedBlobCannotBePublished() throws Exception {
    StagedBlob staged = stageOrSkip();
    writeAt(staged.channel(), new byte[] {1}, 0, 1);
    staged.close();
    staged.close();
    assertThrows(IllegalStateException.class, () -> staged.publish(name("data/closed"), PutMode.CREATE_ONLY));
    assertEquals(Map.of(), listSizes(""));
  }

  @Test
  public void createOnlyRefusesATakenNameAndKeepsTheOriginal() throws Exception {
    BlobName name = name("locks/lease");
    store().put(name, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_ONLY);
    BlobAlreadyExistsException e =
        assertThrows(
            BlobAlreadyExistsException.class,
            () -> store().put(name, ByteBuffer.wrap(new byte[] {9, 9}), PutMode.CREATE_ONLY));
    assertEquals(name, e.blob());
    assertFalse(e.isTransient(), "a taken name stays taken, but the error is transient: " + e);
    assertMentions(e, name);
    assertArrayEquals(new byte[] {1, 2, 3}, bytesOf(store().get(name)), "a refused put changed the blob");
  }

  @Test
  public void createOnlySucceedsAgainAfterDelete() throws Exception {
    BlobName name = name("locks/lease");
    store().put(name, ByteBuffer.wrap(new byte[] {1}), PutMode.CREATE_ONLY);
    store().delete(name);
    store().put(name, ByteBuffer.wrap(new byte[] {2, 2}), PutMode.CREATE_ONLY);
    assertArrayEquals(new byte[] {2, 2}, bytesOf(store().get(name)));
  }

  @Test
  public void replaceCreatesAndOverwritesWithShorterAndLongerContent() throws Exception {
    BlobName name = name("index/current");
    for (int size : new int[] {1000, 10, 0, 50_000, 3}) {
      byte[] content = randomBytes(new Random(size), size);
      store().put(name, ByteBuffer.wrap(content), PutMode.REPLACE);
      assertArrayEquals(content, bytesOf(store().get(name)), "content after replacing with " + size + " bytes");
      assertEquals(size, store().stat(name).map(BlobInfo::size).orElse(-1L), "stat after replacing with " + size);
    }
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  public void concurrentCreateOnlyOfOneNameHasExactlyOneWinner() throws Exception {
    assumeTrue(store().capabilities().atomicCreateOnly(), "the store does not claim atomic create-only");
    int rounds = concurrentRounds();
    CyclicBarrier roundStart = new CyclicBarrier(concurrency());
    List<boolean[]> wins =
        runConcurrently(
            concurrency(),
            thread -> () -> {
              boolean[] won = new boolean[rounds];
              try {
                for (int round = 0; round < rounds; round++) {
                  roundStart.await(TASK_DEADLINE_SECONDS, TimeUnit.SECONDS);
                  try {
                    store().put(lockName(round), ByteBuffer.wrap(contender(thread)), PutMode.CREATE_ONLY);
                    won[round] = true;
                  } catch (BlobAlreadyExistsException e) {
                    won[round] = false;
                  }
                }
              } catch (Exception | AssertionError e) {
                // Release the other threads from the barrier at once instead of at its deadline.
                roundStart.reset();
                throw e;
              }
              return won;
            });
    for (int round = 0; round < rounds; round++) {
      List<Integer> winners = new ArrayList<>();
      for (int thread = 0; thread < wins.size(); thread++) {
        if (wins.get(thread)[round]) {
          winners.add(thread);
        }
      }
      assertEquals(1, winners.size(), "round " + round + ": threads " + winners + " all won one create-only put");
      assertArrayEquals(
          contender(winners.get(0)),
          bytesOf(store().get(lockName(round))),
          "round " + round + ": the stored blob is not the winner's");
    }
  }

  @Test
  public void concurrentPutsOfDistinctBlobsAreAllStoredAndListed() throws Exception {
    int perThread = concurrentRounds();
    runConcurrently(
        concurrency(),
        thread -> () -> {
          for (int i = 0; i < perThread; i++) {
            store().put(
                distinctName(thread, i),
                ByteBuffer.wrap(distinctContent(thread, i)),
                i % 2 == 0 ? PutMode.CREATE_ONLY : PutMode.REPLACE);
          }
          return null;
        });
    Map<String, Long> expected = new TreeMap<>();
    for (int thread = 0; thread < concurrency(); thread++) {
      for (int i = 0; i < perThread; i++) {
        expected.put(distinctName(thread, i).value(), (long) distinctContent(thread, i).length);
      }
    }
    assertEquals(expected, listSizes("data/"), "listing after concurrent puts");
    runConcurrently(
        concurrency(),
        thread -> () -> {
          for (int i = 0; i < perThread; i++) {
            BlobName name = distinctName(thread, i);
            assertArrayEquals(distinctContent(thread, i), bytesOf(store().get(name)), "content of " + name);
          }
          return null;
        });
  }

  @Test
  public void readersNeverSeeAPartialReplacement() throws Exception {
    BlobName name = name("index/current");
    int versions = Math.min(4 * concurrentRounds(), 200);
    store().put(name, ByteBuffer.wrap(version(0)), PutMode.REPLACE);
    AtomicBoolean writing = new AtomicBoolean(true);
    runConcurrently(
        Math.max(2, concurrency()),
        thread -> () -> {
          if (thread == 0) {
            try {
              for (int v = 1; v < versions; v++) {
                store().put(name, ByteBuffer.wrap(version(v)), PutMode.REPLACE);
              }
            } finally {
              writing.set(false);
            }
            return null;
          }
          do {
            assertWholeVersion(store().get(name));
            long size = store().stat(name).orElseThrow(() -> new AssertionError(name + " vanished")).size();
            assertTrue(isVersionSize(size), "stat saw a size " + size + " that no version of " + name + " has");
          } while (writing.get());
          return null;
        });
    assertArrayEquals(version(versions - 1), bytesOf(store().get(name)), "the last replacement should win");
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  public void aClosedStoreRefusesDataOperations() throws Exception {
    BlobName name = name("closed/blob");
    store().put(name, ByteBuffer.wrap(new byte[] {1}), PutMode.CREATE_ONLY);
    store().close();
    ByteBuffer content = ByteBuffer.wrap(new byte[] {2});
    assertThrows(IllegalStateException.class, () -> store().put(name, content, PutMode.REPLACE), "put");
    assertThrows(IllegalStateException.class, () -> store().get(name), "get");
    assertThrows(IllegalStateException.class, () -> store().get(name, 0, 1), "range get");
    assertThrows(IllegalStateException.class, () -> store().read(name, 0, ByteBuffer.allocate(1)), "read");
    assertThrows(IllegalStateException.class, () -> store().stat(name), "stat");
    assertThrows(IllegalStateException.class, () -> store().list("", info -> {}), "list");
    assertThrows(IllegalStateException.class, () -> store().delete(name), "delete");
    store().close();
    assertFalse(store().describe().isBlank(), "describe() after close");
    assertTrue(store().capabilities().recommendedConcurrency() >= 1, "capabilities() after close");
  }

  @Test
  public void describeNamesTheStore() {
    assertFalse(store().describe().isBlank(), "describe() must say where the store is, for messages");
  }

  // ---------------------------------------------------------------- helpers

  private void assertRoundTrip(BlobName name, byte[] content, PutMode mode) throws StorageException {
    store().put(name, ByteBuffer.wrap(content), mode);
    ByteBuffer read = store().get(name);
    assertEquals(content.length, read.remaining(), "length of " + name + " read back");
    assertArrayEquals(content, bytesOf(read), "content of " + name + " read back");
    assertEquals(
        content.length,
        store().stat(name).map(BlobInfo::size).orElseThrow(() -> new AssertionError("stat found no " + name)),
        "stat size of " + name);
  }

  /** Name to size of every listed blob, failing on a blob reported twice or with a mismatched name. */
  private Map<String, Long> listSizes(String prefix) throws StorageException {
    Map<String, Long> sizes = new TreeMap<>();
    List<String> duplicates = new ArrayList<>();
    store().list(prefix, info -> {
      if (sizes.put(info.name().value(), info.size()) != null) {
        duplicates.add(info.name().value());
      }
    });
    assertEquals(List.of(), duplicates, "blobs listed more than once under prefix '" + prefix + "'");
    return sizes;
  }

  /**
   * Runs {@code tasks.apply(i)} on {@code threads} threads that start together, and returns their results
   * in thread order; the first failure fails the test.
   */
  private static <T> List<T> runConcurrently(int threads, IntFunction<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<T>> futures = new ArrayList<>();
      for (int thread = 0; thread < threads; thread++) {
        Callable<T> task = tasks.apply(thread);
        futures.add(
            pool.submit(() -> {
              start.await(TASK_DEADLINE_SECONDS, TimeUnit.SECONDS);
              return task.call();
            }));
      }
      List<T> results = new ArrayList<>();
      for (int thread = 0; thread < threads; thread++) {
        try {
          results.add(futures.get(thread).get(TASK_DEADLINE_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof AssertionError) {
            throw (AssertionError) cause;
          }
          throw new AssertionError("thread " + thread + " failed: " + cause, cause);
        } catch (TimeoutException e) {
          throw new AssertionError(
              "thread " + thread + " did not finish within " + TASK_DEADLINE_SECONDS + " s: the store hangs", e);
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static BlobName lockName(int round) {
    return name("locks/round-" + round);
  }

  /** Each contender's content differs in size and bytes, so the stored blob tells who won. */
  private static byte[] contender(int thread) {
    byte[] content = new byte[100 + 7 * thread];
    Arrays.fill(content, (byte) (thread + 1));
    return content;
  }

  private static BlobName distinctName(int thread, int index) {
    return name(String.format("data/%02x/t%d-b%d", (thread * 31 + index) & 0xff, thread, index));
  }

  private static byte[] distinctContent(int thread, int index) {
    return randomBytes(new Random(thread * 1000L + index), 1 + ((thread * 7919 + index * 104_729) % 20_000));
  }

  private static byte[] version(int v) {
    byte[] content = new byte[versionSize(v)];
    Arrays.fill(content, (byte) v);
    return content;
  }

  private static int versionSize(int v) {
    return 4096 * (1 + v % 5) + v;
  }

  private static boolean isVersionSize(long size) {
    long v = size % 4096;
    return v < 256 && versionSize((int) v) == size;
  }

  private static void assertWholeVersion(ByteBuffer read) {
    byte[] bytes = bytesOf(read);
    assertNotEquals(0, bytes.length, "a reader saw an empty blob while it was being replaced");
    int v = bytes[0] & 0xff;
    assertEquals(versionSize(v), bytes.length, "a reader saw a blob of the wrong length: a partial replacement");
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != bytes[0]) {
        fail("a reader saw bytes of two versions (" + v + " and " + (bytes[i] & 0xff) + " at " + i + ")");
      }
    }
  }

  private static void scribbleOver(ByteBuffer buffer) {
    if (!buffer.isReadOnly()) {
      ByteBuffer view = buffer.duplicate();
      while (view.hasRemaining()) {
        view.put((byte) 0x5A);
      }
    }
  }

  private static void assertNotFound(BlobNotFoundException e, BlobName name) {
    assertEquals(name, e.blob(), "the exception's blob()");
    assertFalse(e.isTransient(), "a missing blob is not transient: " + e);
    assertMentions(e, name);
  }

  private static void assertMentions(StorageException e, BlobName name) {
    String message = String.valueOf(e.getMessage());
    assertTrue(message.contains(name.value()), "the message should name blob " + name + ": " + message);
  }

  private static BlobName name(String value) {
    return BlobName.of(value);
  }

  private static byte[] randomBytes(Random random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The buffer's remaining bytes, without moving it. */
  private static byte[] bytesOf(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
