package dev.bakare.internal.find;

import dev.bakare.FileType;
import dev.bakare.FindQuery;
import dev.bakare.FoundPath;
import dev.bakare.FoundVersion;
import dev.bakare.SnapshotId;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Searches the name index over a set of snapshots, in two passes.
 *
 * <p><b>Directories.</b> From every snapshot's root, level by level, the distinct (directory path, tree)
 * pairs are collected, each with the set of snapshots that reach it. An unchanged directory is the same
 * tree in every snapshot, so it is one pair however many snapshots hold it; only the subdirectory lists
 * of the index's heads are read. Each distinct path gets the matcher's state for its text, continued from
 * its parent's.
 *
 * <p><b>Names.</b> Every distinct name of the index is tested once (the files' sorted names are merged):
 * the matcher's cheap test on the name's state against the best state of any directory rejects almost
 * all of them. Only for the others are the postings read: each version of the name, with the trees
 * holding it, goes to the paths those trees have in the selected snapshots; the cheap test on that
 * directory, the filters, and finally the full score of {@code dir/name} (once per path) decide. A name's
 * paths are complete once its postings are read: each match is handed to the consumer then, and offered
 * to the ranking.
 */
final class NameSearch {
  private static final byte EXCLUDED = 0;
  private static final byte ON_THE_WAY = 1;
  private static final byte INSIDE = 2;

  private final NameIndex index;
  private final NameFile.IndexedSnapshot[] snapshots;
  private final SnapshotId[] snapshotIds;
  private final PathMatcher matcher;
  private final FindQuery query;
  private final @Nullable Consumer<? super FoundPath> consumer;
  private final char @Nullable [] resumeAfter;
  private @Nullable String lastDelivered;
  private final int stateSize;
  private final int words;
  private final boolean[] typeAllowed = new boolean[8];
  private final PostingCursor postings = new PostingCursor();

  private record PathKey(int parent, String name) {}

  private final Map<PathKey, Integer> pathIds = new HashMap<>();
  private final Map<Integer, String> pathTexts = new HashMap<>();
  private int pathCount;
  private int[] pathParent = new int[1024];
  private String[] pathName = new String[1024];
  private byte[] pathScope = new byte[1024];
  private int[] pathFirstNode = new int[1024];
  private int[] pathStates;

  private final PairIntMap nodeIds = new PairIntMap(1024);
  private int nodeCount;
  private int[] nodePath = new int[1024];
  private int[] nodeTree = new int[1024];
  private int[] nodeNext = new int[1024];
  private long[] nodeSets;
  private final int[] treeFirstNode;
  private int[] nodeNextOfTree = new int[1024];

  private long matches;
  private final PriorityQueue<Candidate> ranking;
  private char[] text = new char[1024];

  /**
   * @param resumeAfter when searching again after the index was rebuilt: matches of names up to this one
   *     were handed to the consumer already, and are only counted and ranked now
   */
  NameSearch(NameIndex index, List<NameFile.IndexedSnapshot> selected, PathMatcher matcher, FindQuery query,
      @Nullable Consumer<? super FoundPath> consumer, @Nullable String resumeAfter) {
    this.index = index;
    this.snapshots = selected.toArray(NameFile.IndexedSnapshot[]::new);
    this.snapshotIds = selected.stream().map(s -> new SnapshotId(s.id().hex())).toArray(SnapshotId[]::new);
    this.matcher = matcher;
    this.query = query;
    this.consumer = consumer;
    this.resumeAfter = resumeAfter == null ? null : resumeAfter.toCharArray();
    this.stateSize = matcher.stateSize();
    this.words = Math.max(1, (snapshots.length + 63) / 64);
    this.pathStates = new int[1024 * Math.max(1, stateSize)];
    this.nodeSets = new long[1024 * words];
    this.treeFirstNode = new int[index.treeCount()];
    Arrays.fill(treeFirstNode, -1);
    for (NodeType type : NodeType.values()) {
      typeAllowed[type.code()] = query.types().isEmpty() || query.types().contains(fileType(type.code()));
    }
    // Worst first, so the head is the one to drop when a better match comes.
    this.ranking = new PriorityQueue<>(Comparator.comparingInt((Candidate c) -> c.score)
        .thenComparing(Comparator.comparingInt((Candidate c) -> c.path.length()).reversed())
        .thenComparing(Comparator.comparing((Candidate c) -> c.path).reversed()));
  }

  long matches() {
    return matches;
  }

  /** The last name whose matches went to the consumer, or null. */
  @Nullable String lastDelivered() {
    return lastDelivered;
  }

  /**
   * Runs the search; returns the best matches, best first.
   *
   * @throws CorruptDataException if a posting block of the index is damaged
   */
  List<FoundPath> run() throws IOException, CorruptDataException {
    if (snapshots.length == 0) {
      return List.of();
    }
    collectDirectories();
    searchNames();
    List<Candidate> best = new ArrayList<>(ranking);
    best.sort(ranking.comparator().reversed());
    List<FoundPath> found = new ArrayList<>(best.size());
    for (Candidate c : best) {
      found.add(c.toFoundPath());
    }
    return found;
  }

  // ---- directories ----

  private void collectDirectories() {
    int root = newPath(-1, "", query.under().isEmpty() ? INSIDE : ON_THE_WAY);
    pathTexts.put(root, "");
    matcher.rootState(pathStates, root * stateSize);
    int[] level = new int[snapshots.length];
    int levelSize = 0;
    for (int i = 0; i < snapshots.length; i++) {
      int before = nodeCount;
      int node = node(root, snapshots[i].root());
      if (nodeCount > before) {
        level[levelSize++] = node;
      }
      nodeSets[node * words + i / 64] |= 1L << (i % 64);
    }
    // A forged snapshot can nest far deeper than any file system; like every other walk, stop at the bound.
    for (int depth = 1; levelSize > 0 && Tree.tooDeep(depth + 1) == null; depth++) {
      int[] next = new int[16];
      int nextSize = 0;
      for (int n = 0; n < levelSize; n++) {
        int node = level[n];
        NameFile file = index.fileOf(nodeTree[node]);
        VarintReader dirs = new VarintReader(file.head(), file.directories(nodeTree[node] - file.treeBase));
        int count = (int) dirs.varint();
        for (int d = 0; d < count; d++) {
          int name = (int) dirs.varint();
          int subtree = (int) dirs.varint() - 1;
          int child = childPath(nodePath[node], file, name);
          if (child < 0) {
            continue;
          }
          int before = nodeCount;
          int childNode = node(child, subtree);
          if (nodeCount > before) {
            if (nextSize == next.length) {
              next = Arrays.copyOf(next, nextSize * 2);
            }
            next[nextSize++] = childNode;
          }
          for (int w = 0; w < words; w++) {
            nodeSets[childNode * words + w] |= nodeSets[node * words + w];
          }
        }
      }
      level = next;
      levelSize = nextSize;
    }
  }

  /** The id of the child path, or -1 if it lies outside {@link FindQuery#under()} and leads nowhere inside. */
  private int childPath(int parent, NameFile file, int name) {
    String childName = file.name(name);
    PathKey key = new PathKey(parent, childName);
    Integer known = pathIds.get(key);
    if (known != null) {
      return pathScope[known] == EXCLUDED ? -1 : known;
    }
    byte scope = INSIDE;
    String childText = null;
    if (pathScope[parent] != INSIDE) {
      childText = pathTexts.get(parent) + "/" + childName;
      String under = query.under();
      scope = childText.equals(under) ? INSIDE : under.startsWith(childText + "/") ? ON_THE_WAY : EXCLUDED;
    }
    int child = newPath(parent, childName, scope);
    pathIds.put(key, child);
    if (scope == ON_THE_WAY) {
      pathTexts.put(child, childText);
    }
    int from = file.nameStart(name);
    matcher.childState(pathStates, parent * stateSize, child * stateSize, file.nameChars(), from,
        file.nameStart(name + 1));
    return scope == EXCLUDED ? -1 : child;
  }

  private int newPath(int parent, String name, byte scope) {
    if (pathCount == pathParent.length) {
      int size = pathCount * 2;
      pathParent = Arrays.copyOf(pathParent, size);
      pathName = Arrays.copyOf(pathName, size);
      pathScope = Arrays.copyOf(pathScope, size);
      pathFirstNode = Arrays.copyOf(pathFirstNode, size);
      pathStates = Arrays.copyOf(pathStates, size * Math.max(1, stateSize));
    }
    pathParent[pathCount] = parent;
    pathName[pathCount] = name;
    pathScope[pathCount] = scope;
    pathFirstNode[pathCount] = -1;
    return pathCount++;
  }

  /** The node of (path, tree), created if new. */
  private int node(int path, int tree) {
    // path + 1: the map cannot hold the pair (0, 0).
    int known = nodeIds.get(path + 1L, tree);
    if (known >= 0) {
      return known;
    }
    if (nodeCount == nodePath.length) {
      int size = nodeCount * 2;
      nodePath = Arrays.copyOf(nodePath, size);
      nodeTree = Arrays.copyOf(nodeTree, size);
      nodeNext = Arrays.copyOf(nodeNext, size);
      nodeNextOfTree = Arrays.copyOf(nodeNextOfTree, size);
      nodeSets = Arrays.copyOf(nodeSets, size * words);
    }
    int node = nodeCount++;
    nodePath[node] = path;
    nodeTree[node] = tree;
    nodeNext[node] = pathFirstNode[path];
    pathFirstNode[path] = node;
    nodeNextOfTree[node] = treeFirstNode[tree];
    treeFirstNode[tree] = node;
    nodeIds.put(path + 1L, tree, node);
    return node;
  }

  // ---- names ----

  /** One file's place in the merge of all files' sorted names. */
  private static final class NameStream {
    final NameFile file;
    int name;

    NameStream(NameFile file) {
      this.file = file;
    }

    int compareTo(NameStream other) {
      return compareCodePoints(file.nameChars(), file.nameStart(name), file.nameStart(name + 1),
          other.file.nameChars(), other.file.nameStart(other.name), other.file.nameStart(other.name + 1));
    }
  }

  private void searchNames() throws IOException, CorruptDataException {
    int[] best = bestDirectoryStates();
    if (best == null) {
      return;
    }
    PriorityQueue<NameStream> merge = new PriorityQueue<>(NameStream::compareTo);
    for (NameFile file : index.files()) {
      if (file.nameCount() > 0) {
        merge.add(new NameStream(file));
      }
    }
    int[] nameState = new int[Math.max(1, stateSize)];
    List<NameStream> same = new ArrayList<>();
    while (!merge.isEmpty()) {
      same.clear();
      same.add(merge.poll());
      while (!merge.isEmpty() && merge.peek().compareTo(same.get(0)) == 0) {
        same.add(merge.poll());
      }
      NameStream first = same.get(0);
      int from = first.file.nameStart(first.name);
      int to = first.file.nameStart(first.name + 1);
      matcher.nameState(first.file.nameChars(), from, to, nameState, 0);
      // No directory at all gets this name far enough: its postings need not be read.
      if (matcher.mayMatch(best, 0, nameState, 0)) {
        // A map of its own per name: clearing a large one for every name would cost its whole capacity.
        Map<Integer, Candidate> paths = new HashMap<>();
        for (NameStream stream : same) {
          collectPaths(stream.file, stream.name, nameState, paths);
        }
        if (!paths.isEmpty()) {
          emit(first.file.nameChars(), from, to, paths);
        }
      }
      for (NameStream stream : same) {
        if (++stream.name < stream.file.nameCount()) {
          merge.add(stream);
        }
      }
    }
  }

  /** Per matcher state, the best of any directory the search looks in; null if there is none. */
  private int @Nullable [] bestDirectoryStates() {
    int[] best = null;
    for (int path = 0; path < pathCount; path++) {
      if (pathScope[path] != INSIDE || pathFirstNode[path] < 0) {
        continue;
      }
      if (best == null) {
        best = Arrays.copyOfRange(pathStates, path * stateSize, path * stateSize + Math.max(1, stateSize));
      } else {
        for (int t = 0; t < stateSize; t++) {
          best[t] = Math.max(best[t], pathStates[path * stateSize + t]);
        }
      }
    }
    return best;
  }

  /** Adds every version of the name that passes the filters to the paths its trees have in the search. */
  private void collectPaths(NameFile file, int name, int[] nameState, Map<Integer, Candidate> paths)
      throws IOException, CorruptDataException {
    postings.open(file, name);
    for (int v = 0; v < postings.versions; v++) {
      postings.nextVersion();
      boolean passes = passesFilters();
      for (int r = 0; r < postings.trees; r++) {
        int tree = postings.nextTree();
        if (!passes) {
          continue;
        }
        for (int node = treeFirstNode[tree]; node >= 0; node = nodeNextOfTree[node]) {
          int path = nodePath[node];
          if (pathScope[path] == INSIDE && matcher.mayMatch(pathStates, path * stateSize, nameState, 0)) {
            paths.computeIfAbsent(path, p -> new Candidate()).add(node, postings);
          }
        }
      }
    }
  }

  /** Scores the paths found for one name and hands over those that match. */
  private void emit(char[] chars, int from, int to, Map<Integer, Candidate> paths) {
    List<Candidate> found = new ArrayList<>(paths.size());
    for (Map.Entry<Integer, Candidate> entry : paths.entrySet()) {
      int prefix = writeDirectoryText(entry.getKey());
      int length = prefix + to - from;
      if (text.length < length) {
        text = Arrays.copyOf(text, Math.max(length, text.length * 2));
      }
      System.arraycopy(chars, from, text, prefix, to - from);
      int score = matcher.score(text, length, prefix);
      if (score != PathMatcher.NO_MATCH) {
        Candidate c = entry.getValue();
        c.score = score;
        c.path = new String(text, 0, length);
        found.add(c);
      }
    }
    found.sort(Comparator.comparing((Candidate c) -> c.path));
    char[] resumed = resumeAfter;
    Consumer<? super FoundPath> receiver = consumer;
    boolean deliver = resumed == null || compareCodePoints(chars, from, to, resumed, 0, resumed.length) > 0;
    for (Candidate c : found) {
      matches++;
      if (receiver != null && deliver) {
        receiver.accept(c.toFoundPath());
      }
      ranking.add(c);
      if (ranking.size() > query.limit()) {
        ranking.poll();
      }
    }
    if (receiver != null && deliver && !found.isEmpty()) {
      lastDelivered = new String(chars, from, to - from);
    }
  }

  /** Compares by Unicode code point, which is the order of the names' UTF-8 bytes in the files. */
  static int compareCodePoints(char[] a, int aFrom, int aTo, char[] b, int bFrom, int bTo) {
    int i = aFrom;
    int j = bFrom;
    while (i < aTo && j < bTo) {
      int x = Character.codePointAt(a, i, aTo);
      int y = Character.codePointAt(b, j, bTo);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(aTo - i, bTo - j);
  }

  /** Writes {@code /a/b/} for the path into {@link #text} and returns its length. */
  private int writeDirectoryText(int path) {
    int length = 1;
    for (int p = path; pathParent[p] >= 0; p = pathParent[p]) {
      length += pathName[p].length() + 1;
    }
    if (text.length < length + 256) {
      text = Arrays.copyOf(text, Math.max(length + 256, text.length * 2));
    }
    int end = length;
    for (int p = path; pathParent[p] >= 0; p = pathParent[p]) {
      text[--end] = '/';
      end -= pathName[p].length();
      pathName[p].getChars(0, pathName[p].length(), text, end);
    }
    text[0] = '/';
    return length;
  }

  private boolean passesFilters() {
    if (!typeAllowed[postings.kind & 7] || postings.size < query.minSize() || postings.size > query.maxSize()) {
      return false;
    }
    Instant from = query.modifiedFrom();
    Instant before = query.modifiedBefore();
    return (from == null || compareTime(from) >= 0) && (before == null || compareTime(before) < 0);
  }

  /** Compares the version's modification time (whole seconds) with {@code bound}. */
  private int compareTime(Instant bound) {
    int c = Long.compare(postings.mtimeSeconds, bound.getEpochSecond());
    return c != 0 ? c : Integer.compare(0, bound.getNano());
  }

  private static FileType fileType(int code) {
    return switch (code) {
      case 1 -> FileType.FILE;
      case 2 -> FileType.DIRECTORY;
      case 3 -> FileType.SYMLINK;
      default -> FileType.SPECIAL;
    };
  }

  /** One path of a matching name, with every (node, version) it occurs as. */
  private final class Candidate {
    int score;
    String path = "";
    private final VersionRows rows = new VersionRows(2);

    void add(int node, PostingCursor version) {
      rows.add(node, 0, version);
    }

    /** Expands the occurrences into one version per snapshot, oldest first, each compared with the one before. */
    FoundPath toFoundPath() {
      int[] occurrence = new int[snapshots.length];
      Arrays.fill(occurrence, -1);
      for (int o = 0; o < rows.count; o++) {
        int base = rows.places[o] * words;
        for (int w = 0; w < words; w++) {
          for (long bits = nodeSets[base + w]; bits != 0; bits &= bits - 1) {
            occurrence[w * 64 + Long.numberOfTrailingZeros(bits)] = o;
          }
        }
      }
      List<FoundVersion> versions = new ArrayList<>();
      int previous = -1;
      for (int i = 0; i < snapshots.length; i++) {
        int o = occurrence[i];
        if (o < 0) {
          continue;
        }
        FoundVersion.Change change = previous < 0 ? FoundVersion.Change.FIRST
            : rows.prints[o] == rows.prints[previous] && (rows.kinds[o] & 7) == (rows.kinds[previous] & 7)
                ? FoundVersion.Change.UNCHANGED : FoundVersion.Change.CHANGED;
        versions.add(new FoundVersion(snapshotIds[i], snapshots[i].time(), snapshots[i].host(), fileType(rows.kinds[o] & 7),
            rows.sizes[o], Instant.ofEpochSecond(rows.times[o]), change));
        previous = o;
      }
      return new FoundPath(path, score, versions);
    }
  }
}
