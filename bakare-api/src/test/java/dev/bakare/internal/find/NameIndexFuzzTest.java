package dev.bakare.internal.find;

import static dev.bakare.internal.FuzzSupport.decodesOrRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bakare.FindQuery;
import dev.bakare.internal.FuzzSupport;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The name index's decoders: a file's head (then searched, which walks its directories), a posting block
 * behind a valid head (then searched, which reads every version), a whole cache file as the cache loads it
 * (sealed under a key derived from the fixed test key), and the tree scanner, which must accept exactly
 * the trees {@link Tree#decode} accepts. A damaged cache is rebuilt, so loading it never throws: the cache
 * target also accepts an empty index.
 */
class NameIndexFuzzTest {
  private static final String REPOSITORY = "0123456789abcdef0123456789abcdef";
  private static final Aead CACHE_KEY =
      new Aes256Gcm().withKey(NameCache.key(FuzzSupport.FULL_KEY.masterPrivateKey(), REPOSITORY));
  private static final FindQuery EVERYTHING = FindQuery.builder("/").mode(FindQuery.Mode.REGEX).build();
  private static final NameFileWriter.Encoded SAMPLE = sample();
  private static final Path WORK = workDirectory();

  private static Path workDirectory() {
    try {
      Path dir = Files.createTempDirectory("bakare-fuzz-names");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A small index: two snapshots of a home directory, one file renamed and one changed between them. */
  private static List<IndexFixture.Snapshot> history() {
    Map<String, Long> files = new LinkedHashMap<>();
    files.put("/home/me/docs/Quarterly Report 2023.xlsx", 1L);
    files.put("/home/me/docs/notes.txt", 2L);
    files.put("/home/me/Pictures/IMG_2041.jpg", 3L);
    files.put("/home/me/Pictures/caf\u00e9.png", 4L);
    IndexFixture.Snapshot first = new IndexFixture.Snapshot("first", Instant.ofEpochSecond(1_700_000_000L), "laptop",
        Map.copyOf(files));
    files.put("/home/me/docs/notes.txt", 5L);
    files.put("/home/me/Pictures/IMG_2042.jpg", files.remove("/home/me/Pictures/IMG_2041.jpg"));
    return List.of(first, new IndexFixture.Snapshot("second", Instant.ofEpochSecond(1_700_086_400L), "desktop", files));
  }

  private static NameFileWriter.Encoded sample() {
    List<NameFileWriter.Encoded> written = new ArrayList<>();
    try (NameIndex index = new NameIndex(0)) {
      new IndexFixture().index(index, history(), (file, encoded) -> written.add(encoded), false);
    } catch (IOException | CorruptDataException e) {
      throw new IllegalStateException("the sample index cannot be written", e);
    }
    return written.get(0);
  }

  @FuzzTest
  void head(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> searchAll(NameFile.open(input, noPostings(), 0, 0, 0)));
  }

  @FuzzTest
  void block(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    byte[][] blocks = SAMPLE.blocks().clone();
    blocks[0] = input;
    decodesOrRejects(() -> searchAll(NameFile.open(SAMPLE.head(), NameFile.inMemory(blocks, SAMPLE.ids()), 0, 0, 0)));
  }

  @FuzzTest
  void cacheFile(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    decodesOrRejects(() -> loadCache(input));
  }

  @FuzzTest
  void tree(FuzzedDataProvider data) throws Exception {
    byte[] input = data.consumeRemainingAsBytes();
    boolean decodes;
    try {
      Tree.decode(input);
      decodes = true;
    } catch (CorruptDataException e) {
      decodes = false;
    }
    boolean scans;
    try {
      ScannedTree.scan(input);
      scans = true;
    } catch (CorruptDataException e) {
      scans = false;
    }
    // The index holds exactly the trees a restore can read.
    assertEquals(decodes, scans, "Tree.decode and ScannedTree.scan disagree");
  }

  private static NameFile.Parts noPostings() {
    return new NameFile.Parts() {
      @Override
      public byte[] block(int index, int length) throws CorruptDataException {
        throw new CorruptDataException("this target has heads only");
      }

      @Override
      public byte[] ids(int length) throws CorruptDataException {
        throw new CorruptDataException("this target has heads only");
      }

      @Override
      public void close() {
        // Nothing to release.
      }
    };
  }

  /** Searches every snapshot the file records, reading every block and the tree ids. */
  private static void searchAll(NameFile file) throws IOException, CorruptDataException {
    try (NameIndex index = new NameIndex(0)) {
      index.add(file);
      for (NameFile.IndexedSnapshot snapshot : file.snapshots) {
        new NameSearch(index, List.of(snapshot), Patterns.matcher(EVERYTHING.mode(), EVERYTHING.pattern()),
            EVERYTHING, p -> { }, null).run();
      }
      index.ordinals();
    }
  }

  /** Writes the input as a cache's only file and loads it as a search would, then searches it. */
  private static void loadCache(byte[] input) throws IOException, CorruptDataException {
    Path names = WORK.resolve(REPOSITORY).resolve("names");
    Files.createDirectories(names);
    Files.write(names.resolve("0-0.names"), input);
    try (NameCache cache = NameCache.open(WORK, REPOSITORY, CACHE_KEY);
        NameIndex index = cache.load(new ArrayList<>())) {
      for (NameFile file : index.files()) {
        for (NameFile.IndexedSnapshot snapshot : file.snapshots) {
          new NameSearch(index, List.of(snapshot), Patterns.matcher(EVERYTHING.mode(), EVERYTHING.pattern()),
              EVERYTHING, p -> { }, null).run();
        }
      }
      index.ordinals();
    }
  }

  /** The sample's cache file, sealed (with random nonces, so only when seeds are written). */
  private static List<byte[]> sealedFiles() {
    Path dir = WORK.resolve("seed");
    try (NameCache cache = NameCache.open(dir, REPOSITORY, CACHE_KEY)) {
      cache.write(SAMPLE);
      return List.of(Files.readAllBytes(cache.directory().resolve("0-0.names")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<byte[]> trees() {
    IndexFixture fixture = new IndexFixture();
    history().forEach(fixture::encode);
    return List.copyOf(fixture.trees().values());
  }

  @Test
  void committedSeedsAreValidEncodings() throws Exception {
    for (byte[] seed : FuzzSupport.seeds(getClass(), "head", () -> List.of(SAMPLE.head()))) {
      NameFile.open(seed, noPostings(), 0, 0, 0);
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "block", () -> List.of(SAMPLE.blocks()[0]))) {
      byte[][] blocks = SAMPLE.blocks().clone();
      blocks[0] = seed;
      searchAll(NameFile.open(SAMPLE.head(), NameFile.inMemory(blocks, SAMPLE.ids()), 0, 0, 0));
    }
    for (byte[] seed : FuzzSupport.seeds(getClass(), "cacheFile", NameIndexFuzzTest::sealedFiles)) {
      Path names = WORK.resolve(REPOSITORY).resolve("names");
      Files.createDirectories(names);
      Files.write(names.resolve("0-0.names"), seed);
      try (NameCache cache = NameCache.open(WORK, REPOSITORY, CACHE_KEY);
          NameIndex index = cache.load(new ArrayList<>())) {
        assertFalse(index.files().isEmpty(), "the committed cache file opens under the fixed key");
      }
    }
    List<byte[]> trees = FuzzSupport.seeds(getClass(), "tree", NameIndexFuzzTest::trees);
    for (byte[] seed : trees) {
      ScannedTree.scan(seed);
    }
  }
}
