package dev.bakare.internal.find;

import dev.bakare.FileType;
import dev.bakare.FindQuery;
import dev.bakare.FoundPath;
import dev.bakare.FoundVersion;
import dev.bakare.SnapshotId;
import dev.bakare.internal.tree.NodeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
 * tree in every snapshot, so it is one pair however many snapshots hold it; only directories are read in
 * this pass. Each distinct path gets the matcher's state for its text, continued from its parent's.
 *
 * <p><b>Entries.</b> Path by path (parents first), the entries of each of its trees are tested: the
 * matcher's cheap test on the directory's state and the name's state (computed once per distinct name),
 * then the filters, then the full score of {@code dir/name}, once per distinct name. When a path's trees
 * are all read, each of its matching entries is complete, with its versions in every snapshot: it is
 * handed to the consumer at once, and offered to the ranking.
 */
final class NameSearch {
  private static final byte EXCLUDED = 0;
  private static final byte ON_THE_WAY = 1;
  private static final byte INSIDE = 2;

  private final NameIndex index;
  private final NameSegment.IndexedSnapshot[] snapshots;
  private final SnapshotId[] snapshotIds;
  private final PathMatcher matcher;
  private final FindQuery query;
  private final @Nullable Consumer<? super FoundPath> consumer;
  private final int stateSize;
  private final int words;
  private final boolean[] typeAllowed = new boolean[8];
  private final RecordCursor cursor = new RecordCursor();
  private final Map<NameSegment, int[]> nameStates = new IdentityHashMap<>();

  private record PathKey(int parent, String name) {}

  private final Map<PathKey, Integer> pathIds = new HashMap<>();
  private final Map<Integer, String> pathTexts = new HashMap<>();
  private int pathCount;
  private int[] pathParent = new int[1024];
  private String[] pathName = new String[1024];
  private byte[] pathScope = new byte[1024];
  private int[] pathFirstNode = new int[1024];
  private int[] pathStates;

  private final Map<Long, Integer> nodeIds = new HashMap<>();
  private int nodeCount;
  private int[] nodePath = new int[1024];
  private int[] nodeTree = new int[1024];
  private int[] nodeNext = new int[1024];
  private long[] nodeSets;

  private long matches;
  private final PriorityQueue<Candidate> ranking;
  private char[] text = new char[1024];

  NameSearch(NameIndex index, List<NameSegment.IndexedSnapshot> selected, PathMatcher matcher, FindQuery query,
      @Nullable Consumer<? super FoundPath> consumer) {
    this.index = index;
    this.snapshots = selected.toArray(NameSegment.IndexedSnapshot[]::new);
    this.snapshotIds = selected.stream().map(s -> new SnapshotId(s.id().hex())).toArray(SnapshotId[]::new);
    this.matcher = matcher;
    this.query = query;
    this.consumer = consumer;
    this.stateSize = matcher.stateSize();
    this.words = Math.max(1, (snapshots.length + 63) / 64);
    this.pathStates = new int[1024 * Math.max(1, stateSize)];
    this.nodeSets = new long[1024 * words];
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

  /** Runs the search; returns the best matches, best first. */
  List<FoundPath> run() {
    if (snapshots.length == 0) {
      return List.of();
    }
    collectDirectories();
    for (int path = 0; path < pathCount; path++) {
      if (pathScope[path] == INSIDE && pathFirstNode[path] >= 0) {
        searchPath(path);
      }
    }
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
    while (levelSize > 0) {
      int[] next = new int[16];
      int nextSize = 0;
      for (int n = 0; n < levelSize; n++) {
        int node = level[n];
        NameSegment segment = index.segmentOf(nodeTree[node]);
        cursor.open(segment, nodeTree[node] - segment.treeBase);
        for (int d = 0; d < cursor.directories; d++) {
          cursor.nextDirectory();
          if (cursor.subtree < 0) {
            continue;
          }
          int child = childPath(nodePath[node], segment, cursor.directoryName);
          if (child < 0) {
            continue;
          }
          int before = nodeCount;
          int childNode = node(child, cursor.subtree);
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
  private int childPath(int parent, NameSegment segment, int name) {
    String childName = segment.name(name);
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
    int from = segment.nameStart(name);
    matcher.childState(pathStates, parent * stateSize, child * stateSize, segment.nameChars(), from,
        segment.nameStart(name + 1));
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
    long key = (long) path << 32 | tree;
    Integer known = nodeIds.get(key);
    if (known != null) {
      return known;
    }
    if (nodeCount == nodePath.length) {
      int size = nodeCount * 2;
      nodePath = Arrays.copyOf(nodePath, size);
      nodeTree = Arrays.copyOf(nodeTree, size);
      nodeNext = Arrays.copyOf(nodeNext, size);
      nodeSets = Arrays.copyOf(nodeSets, size * words);
    }
    int node = nodeCount++;
    nodePath[node] = path;
    nodeTree[node] = tree;
    nodeNext[node] = pathFirstNode[path];
    pathFirstNode[path] = node;
    nodeIds.put(key, node);
    return node;
  }

  // ---- entries ----

  private void searchPath(int path) {
    int prefix = writeDirectoryText(path);
    Map<String, Candidate> candidates = new HashMap<>();
    for (int node = pathFirstNode[path]; node >= 0; node = nodeNext[node]) {
      NameSegment segment = index.segmentOf(nodeTree[node]);
      int[] names = nameStatesOf(segment);
      cursor.open(segment, nodeTree[node] - segment.treeBase);
      cursor.skipToEntries(0);
      for (int e = 0; e < cursor.entries; e++) {
        cursor.nextEntry();
        if (!matcher.mayMatch(pathStates, path * stateSize, names, cursor.name * stateSize) || !passesFilters()) {
          continue;
        }
        String name = segment.name(cursor.name);
        Candidate c = candidates.get(name);
        if (c == null) {
          int length = prefix + name.length();
          if (text.length < length) {
            text = Arrays.copyOf(text, Math.max(length, text.length * 2));
          }
          name.getChars(0, name.length(), text, prefix);
          c = new Candidate(name, matcher.score(text, length, prefix));
          candidates.put(name, c);
        }
        if (c.score != PathMatcher.NO_MATCH) {
          c.add(node, cursor);
        }
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    String directory = new String(text, 0, prefix);
    List<Candidate> found = new ArrayList<>();
    for (Candidate c : candidates.values()) {
      if (c.score != PathMatcher.NO_MATCH) {
        c.path = directory + c.name;
        found.add(c);
      }
    }
    found.sort(Comparator.comparing((Candidate c) -> c.name));
    for (Candidate c : found) {
      matches++;
      if (consumer != null) {
        consumer.accept(c.toFoundPath());
      }
      ranking.add(c);
      if (ranking.size() > query.limit()) {
        ranking.poll();
      }
    }
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

  private int[] nameStatesOf(NameSegment segment) {
    int[] states = nameStates.get(segment);
    if (states == null) {
      states = new int[segment.nameCount() * stateSize];
      char[] chars = segment.nameChars();
      for (int name = 0; name < segment.nameCount(); name++) {
        matcher.nameState(chars, segment.nameStart(name), segment.nameStart(name + 1), states, name * stateSize);
      }
      nameStates.put(segment, states);
    }
    return states;
  }

  private boolean passesFilters() {
    if (!typeAllowed[cursor.kind & 7] || cursor.size < query.minSize() || cursor.size > query.maxSize()) {
      return false;
    }
    Instant from = query.modifiedFrom();
    Instant before = query.modifiedBefore();
    return (from == null || compareTime(from) >= 0) && (before == null || compareTime(before) < 0);
  }

  /** Compares the cursor's modification time with {@code bound}. */
  private int compareTime(Instant bound) {
    int c = Long.compare(cursor.mtimeSeconds, bound.getEpochSecond());
    return c != 0 ? c : Integer.compare(cursor.mtimeNanos, bound.getNano());
  }

  private static FileType fileType(int code) {
    return switch (code) {
      case 1 -> FileType.FILE;
      case 2 -> FileType.DIRECTORY;
      case 3 -> FileType.SYMLINK;
      default -> FileType.SPECIAL;
    };
  }

  /** A matching name in one directory path, with every (tree, entry) it occurs as. */
  private final class Candidate {
    final String name;
    final int score;
    String path = "";
    private int count;
    private int[] nodes = new int[2];
    private int[] kinds = new int[2];
    private long[] sizes = new long[2];
    private long[] seconds = new long[2];
    private int[] nanos = new int[2];
    private long[] fingerprints = new long[2];

    Candidate(String name, int score) {
      this.name = name;
      this.score = score;
    }

    void add(int node, RecordCursor entry) {
      if (count == nodes.length) {
        int size = count * 2;
        nodes = Arrays.copyOf(nodes, size);
        kinds = Arrays.copyOf(kinds, size);
        sizes = Arrays.copyOf(sizes, size);
        seconds = Arrays.copyOf(seconds, size);
        nanos = Arrays.copyOf(nanos, size);
        fingerprints = Arrays.copyOf(fingerprints, size);
      }
      nodes[count] = node;
      kinds[count] = entry.kind;
      sizes[count] = entry.size;
      seconds[count] = entry.mtimeSeconds;
      nanos[count] = entry.mtimeNanos;
      fingerprints[count] = entry.fingerprint;
      count++;
    }

    /** Expands the occurrences into one version per snapshot, oldest first, each compared with the one before. */
    FoundPath toFoundPath() {
      int[] occurrence = new int[snapshots.length];
      Arrays.fill(occurrence, -1);
      for (int o = 0; o < count; o++) {
        int base = nodes[o] * words;
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
            : fingerprints[o] == fingerprints[previous] && (kinds[o] & 7) == (kinds[previous] & 7)
                ? FoundVersion.Change.UNCHANGED : FoundVersion.Change.CHANGED;
        versions.add(new FoundVersion(snapshotIds[i], snapshots[i].time(), snapshots[i].host(), fileType(kinds[o] & 7),
            sizes[o], Instant.ofEpochSecond(seconds[o], nanos[o]), change));
        previous = o;
      }
      return new FoundPath(path, score, versions);
    }
  }
}
