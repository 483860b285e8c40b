package dev.bakare.internal.find;

import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The name index a search works on: a chain of {@link NameFile}s of one generation, whose trees have
 * consecutive ordinals, and the snapshots they complete. Closing it closes the files. Not thread-safe.
 */
final class NameIndex implements AutoCloseable {
  private final int generation;
  private final List<NameFile> files = new ArrayList<>();
  private int[] bases = new int[0];
  private int treeCount;
  private final Map<ObjectId, NameFile.IndexedSnapshot> snapshots = new HashMap<>();
  private @Nullable PairIntMap ordinals;

  NameIndex(int generation) {
    this.generation = generation;
  }

  int generation() {
    return generation;
  }

  /** The sequence number the next file of this generation gets. */
  int nextSequence() {
    return files.size();
  }

  int treeCount() {
    return treeCount;
  }

  List<NameFile> files() {
    return files;
  }

  /** Appends the next file of the chain. */
  void add(NameFile file) {
    if (file.treeBase != treeCount || file.sequence != files.size() || file.generation != generation) {
      throw new IllegalArgumentException("name index file " + file.generation + "-" + file.sequence
          + " does not continue the chain at tree " + treeCount);
    }
    files.add(file);
    bases = Arrays.copyOf(bases, files.size());
    bases[files.size() - 1] = file.treeBase;
    treeCount += file.treeCount;
    for (NameFile.IndexedSnapshot s : file.snapshots) {
      snapshots.put(s.id(), s);
    }
  }

  /** The file holding tree {@code ordinal}. */
  NameFile fileOf(int ordinal) {
    int i = Arrays.binarySearch(bases, ordinal);
    return files.get(i >= 0 ? i : -i - 2);
  }

  NameFile.@Nullable IndexedSnapshot snapshot(ObjectId id) {
    return snapshots.get(id);
  }

  /**
   * The ordinals of the indexed trees by id, from the files present at the first call (only extending the
   * index needs it; the builder adds the trees it writes).
   */
  PairIntMap ordinals() throws IOException, CorruptDataException {
    PairIntMap known = ordinals;
    if (known == null) {
      known = new PairIntMap(Math.max(1024, treeCount + treeCount / 4));
      for (NameFile file : files) {
        addIds(known, file);
      }
      ordinals = known;
    }
    return known;
  }

  private static void addIds(PairIntMap known, NameFile file) throws IOException, CorruptDataException {
    for (int i = 0; i < file.treeCount; i++) {
      known.put(file.treeId(i), file.treeBase + i);
    }
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (NameFile file : files) {
      try {
        file.close();
      } catch (IOException e) {
        failure = firstOf(failure, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** {@code first}, carrying {@code next} as suppressed, or {@code next} if there is no first. */
  static IOException firstOf(@Nullable IOException first, IOException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
