package dev.bakare.benchmarks;

import dev.bakare.FindQuery;
import dev.bakare.FindResult;
import dev.bakare.FoundPath;
import dev.bakare.Repository;
import dev.bakare.Snapshot;
import dev.bakare.RepositoryOptions;
import dev.bakare.SnapshotStats;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.content.ContentWriter;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.format.CompactIdSet;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The name index at scale: a repository of {@code snapshots} backups of a tree of {@code files} files in
 * directories of 50, in which each backup changes 1% of the files, spread over {@code spread}% of the
 * directories: 1 (the default) changes every file of 1% of the directories (a few projects and photo
 * folders change between backups, the rest does not); 10 changes 5 files in each of 10% of them, so ten
 * times as many directories get a new tree with mostly unchanged files.
 *
 * <p>Run with {@code java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.bakare.benchmarks.FindScale PHASE
 * DIR [files] [snapshots] [spread]}:
 *
 * <ul>
 *   <li>{@code generate}: writes the repository into {@code DIR/repo} (key in {@code DIR/config}) directly
 *       through the engine's writers: trees of empty-content files whose chunk ids are made up, so no file
 *       system is walked and no data stored; only trees and snapshots are real.
 *   <li>{@code list-snapshots}: what reading those snapshots' names costs without the index, the way the
 *       product reads a snapshot's names: {@link Repository#list} of every snapshot, whole (CLI {@code ls}).
 *   <li>{@code read-trees}: the lower bound: reads and decodes every distinct tree of every snapshot once, on one
 *       thread, as any reader of those snapshots' names must at least do.
 *   <li>{@code build}: the first search, with an empty cache ({@code DIR/cache}): builds the index; reports
 *       the time, the index size on disk and the heap used.
 *   <li>{@code query}: searches with the index built, several patterns, each timed on its own (the first
 *       includes loading the index); run it in a fresh JVM to see what a CLI user waits.
 * </ul>
 */
public final class FindScale {
  private static final int FILES_PER_LEAF = 50;
  private static final int LEAVES_PER_MID = 10;
  private static final int MIDS_PER_TOP = 20;
  private static final String[] TOPS = {"Documents", "Pictures", "src", "Music", "Downloads", "Projects", "Archive",
      "Work", "Videos", "Backups"};
  private static final String[] WORDS = {"Quarterly", "Annual", "Monthly", "Weekly", "Final", "Draft", "Team",
      "Project", "Client", "Budget", "Meeting", "Sales", "Travel", "Tax", "Invoice", "Report", "Summary", "Notes",
      "Plan", "Review", "Contract", "Proposal", "Receipt", "Statement", "Schedule"};
  private static final String[] EXTENSIONS = {"xlsx", "pdf", "docx", "txt", "odt", "csv"};
  private static final String[] CODE = {"index.js", "README.md", "main.go", "utils.py", "config.yaml", "Makefile",
      "package.json", "LICENSE", ".gitignore", "build.gradle", "pom.xml", "Dockerfile"};
  private static final Instant START = Instant.parse("2024-01-01T02:00:00Z");

  private FindScale() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: FindScale generate|list-snapshots|read-trees|build|query DIR [files] [snapshots] [spread]");
    }
    Path dir = Path.of(args[1]);
    int files = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
    int snapshots = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    int spread = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    RepositoryOptions options = RepositoryOptions.builder().location(dir.resolve("repo").toString())
        .configDirectory(dir.resolve("config")).cacheDirectory(dir.resolve("cache")).build();
    switch (args[0]) {
      case "generate" -> generate(options, files, snapshots, spread);
      case "list-snapshots" -> listSnapshots(options);
      case "read-trees" -> readTrees(options);
      case "build" -> search(options, dir, List.of("quartr rport 2023"));
      case "query" -> search(options, dir, List.of("quartr rport 2023", "IMG_20417", "docs/tax 2023",
          "readme", "e", "!jpg budget 2019 pdf$"));
      default -> throw new IllegalArgumentException("unknown phase '" + args[0]
          + "': give generate, list-snapshots, read-trees, build or query");
    }
  }

  // ---- generate ----

  /** One leaf directory: its files' names and the seeds their made-up content comes from. */
  private static final class Leaf {
    final String name;
    final String[] names = new String[FILES_PER_LEAF];
    final long[] seeds = new long[FILES_PER_LEAF];
    final long[] sizes = new long[FILES_PER_LEAF];
    final long[] times = new long[FILES_PER_LEAF];
    ObjectId tree;

    Leaf(String name, ObjectId placeholder) {
      this.name = name;
      this.tree = placeholder;
    }
  }

  private static void generate(RepositoryOptions options, int files, int snapshots, int spread) throws IOException {
    long started = System.nanoTime();
    int leaves = Math.max(1, files / FILES_PER_LEAF);
    SplittableRandom random = new SplittableRandom(20261126);
    ObjectId none = ObjectId.wrap(new byte[32]);
    Leaf[] leaf = new Leaf[leaves];
    int photo = 0;
    for (int l = 0; l < leaves; l++) {
      leaf[l] = new Leaf(String.format(Locale.ROOT, "part-%03d", l % LEAVES_PER_MID), none);
      for (int f = 0; f < FILES_PER_LEAF; f++) {
        leaf[l].names[f] = fileName(l, f, photo++, random);
        leaf[l].seeds[f] = random.nextLong();
        leaf[l].sizes[f] = random.nextInt(1 << 22);
        leaf[l].times[f] = START.getEpochSecond() - random.nextInt(3 * 365 * 86400);
      }
      dedupNames(leaf[l]);
    }
    int mids = (leaves + LEAVES_PER_MID - 1) / LEAVES_PER_MID;
    ObjectId[] midTrees = new ObjectId[mids];
    int tops = (mids + MIDS_PER_TOP - 1) / MIDS_PER_TOP;
    ObjectId[] topTrees = new ObjectId[tops];

    ExecutorService uploads = Executors.newFixedThreadPool(2);
    try (Engine engine = Engine.init(options, EngineHooks.DEFAULT);
        ContentWriter writer = new ContentWriter(engine.store(), engine.sealing(), engine.hasher(),
            engine.compressor(), engine.index(), engine.config().packSize(), 1, 4, uploads, engine.packStaging())) {
      List<ObjectId> roots = new ArrayList<>();
      boolean[] dirtyLeaf = new boolean[leaves];
      Arrays.fill(dirtyLeaf, true);
      for (int s = 0; s < snapshots; s++) {
        long now = START.getEpochSecond() + s * 86400L;
        boolean[] dirtyMid = new boolean[mids];
        boolean[] dirtyTop = new boolean[tops];
        for (int l = 0; l < leaves; l++) {
          if (dirtyLeaf[l]) {
            leaf[l].tree = writeTree(writer, leafNodes(leaf[l]));
            dirtyMid[l / LEAVES_PER_MID] = true;
          }
        }
        for (int m = 0; m < mids; m++) {
          if (dirtyMid[m]) {
            List<Node> nodes = new ArrayList<>();
            for (int l = m * LEAVES_PER_MID; l < Math.min(leaves, (m + 1) * LEAVES_PER_MID); l++) {
              nodes.add(directory(leaf[l].name, leaf[l].tree));
            }
            midTrees[m] = writeTree(writer, nodes);
            dirtyTop[m / MIDS_PER_TOP] = true;
          }
        }
        for (int t = 0; t < tops; t++) {
          if (dirtyTop[t]) {
            List<Node> nodes = new ArrayList<>();
            for (int m = t * MIDS_PER_TOP; m < Math.min(mids, (t + 1) * MIDS_PER_TOP); m++) {
              nodes.add(directory(midName(m), midTrees[m]));
            }
            topTrees[t] = writeTree(writer, nodes);
          }
        }
        List<Node> user = new ArrayList<>();
        for (int t = 0; t < tops; t++) {
          user.add(directory(TOPS[t % TOPS.length] + (t < TOPS.length ? "" : "-" + t / TOPS.length), topTrees[t]));
        }
        ObjectId userTree = writeTree(writer, user);
        ObjectId homeTree = writeTree(writer, List.of(directory("ana", userTree)));
        roots.add(writeTree(writer, List.of(directory("home", homeTree))));

        // The next backup: 1% of the files change, in spread% of the leaf directories; one file in each
        // of those directories is renamed, as when a document gets a new version number.
        Arrays.fill(dirtyLeaf, false);
        int changed = Math.max(1, leaves * spread / 100);
        int filesEach = Math.max(1, FILES_PER_LEAF / spread);
        for (int c = 0; c < changed; c++) {
          int l = random.nextInt(leaves);
          dirtyLeaf[l] = true;
          for (int k = 0; k < filesEach; k++) {
            int f = filesEach == FILES_PER_LEAF ? k : random.nextInt(FILES_PER_LEAF);
            leaf[l].seeds[f] = random.nextLong();
            leaf[l].sizes[f] += random.nextInt(4096);
            leaf[l].times[f] = now + random.nextInt(86400);
          }
          int renamed = random.nextInt(FILES_PER_LEAF);
          leaf[l].names[renamed] = leaf[l].names[renamed] + " v" + (s + 2);
          dedupNames(leaf[l]);
        }
        if ((s + 1) % 10 == 0) {
          System.out.printf(Locale.ROOT, "generated %d snapshots (%.1f s)%n", s + 1, seconds(started));
        }
      }
      List<IndexSegment.IndexedPack> packs = writer.flush();
      engine.writeIndex(packs);
      for (int s = 0; s < snapshots; s++) {
        SnapshotManifest.Summary summary = new SnapshotManifest.Summary(START.plusSeconds(s * 86400L),
            s % 10 == 9 ? "desktop" : "laptop", "ana", List.of(), null,
            new SnapshotStats(leaves * (long) FILES_PER_LEAF, 0, leaves + mids + tops + 3, 0, 0, 0, 0));
        engine.writeSnapshot(new SnapshotManifest(summary,
            new SnapshotManifest.Detail(List.of("/home/ana"), roots.get(s), List.of())));
      }
      System.out.printf(Locale.ROOT, "generated %d snapshots of %,d files in %,d directories: %.1f s, %,d tree chunks,"
          + " %s of packs%n", snapshots, leaves * (long) FILES_PER_LEAF, leaves + mids + tops + 3, seconds(started),
          writer.stats().newChunks(), mib(writer.stats().uploadedBytes()));
    } finally {
      uploads.shutdown();
    }
  }

  private static String fileName(int leaf, int file, int photo, SplittableRandom random) {
    switch (leaf % 3) {
      case 0 -> {
        return String.format(Locale.ROOT, "IMG_%05d.jpg", photo % 100_000);
      }
      case 1 -> {
        return WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " "
            + (2015 + random.nextInt(10)) + "." + EXTENSIONS[random.nextInt(EXTENSIONS.length)];
      }
      default -> {
        return file < CODE.length ? CODE[file] : "module_" + (leaf % 997) + "_" + file + ".py";
      }
    }
  }

  private static void dedupNames(Leaf leaf) {
    for (int i = 0; i < leaf.names.length; i++) {
      for (int j = 0; j < i; j++) {
        if (leaf.names[j].equals(leaf.names[i])) {
          leaf.names[i] = leaf.names[i] + " (" + i + ")";
          j = -1;
        }
      }
    }
  }

  /** Years and collections, unique within their parent. */
  private static String midName(int mid) {
    int local = mid % MIDS_PER_TOP;
    return local % 2 == 0 ? Integer.toString(2014 + local / 2) : "collection-" + local;
  }

  private static List<Node> leafNodes(Leaf leaf) {
    List<Node> nodes = new ArrayList<>(FILES_PER_LEAF);
    for (int f = 0; f < FILES_PER_LEAF; f++) {
      SplittableRandom content = new SplittableRandom(leaf.seeds[f]);
      byte[] id = new byte[32];
      content.nextBytes(id);
      Instant mtime = Instant.ofEpochSecond(leaf.times[f], 123_000_000);
      nodes.add(new Node(leaf.names[f], NodeType.FILE, 0644, 1000, 1000, "ana", "ana", mtime, mtime,
          leaf.seeds[f] & 0xFFFFFF, 2049, 1, leaf.sizes[f], List.of(ObjectId.wrap(id)), null, "", ""));
    }
    return nodes;
  }

  private static Node directory(String name, ObjectId subtree) {
    Instant time = START;
    return new Node(name, NodeType.DIRECTORY, 0755, 1000, 1000, "ana", "ana", time, time, 0, 2049, 2, 0, List.of(),
        subtree, "", "");
  }

  private static ObjectId writeTree(ContentWriter writer, List<Node> nodes) throws IOException {
    byte[] encoded = new Tree(nodes).encode();
    return writer.write(ChunkType.TREE, encoded, 0, encoded.length);
  }

  // ---- measure ----

  private static void listSnapshots(RepositoryOptions options) throws IOException {
    long cpu = processCpuNanos();
    long started = System.nanoTime();
    try (Repository repository = Repository.open(options)) {
      long[] entries = {0};
      List<Snapshot> snapshots = repository.snapshots();
      int count = 0;
      for (Snapshot snapshot : snapshots) {
        long before = System.nanoTime();
        repository.list(snapshot.id(), "/", entry -> entries[0]++);
        count++;
        System.out.printf(Locale.ROOT, "list-snapshots: snapshot %d of %d listed in %.2f s, %,d entries in all so"
            + " far: %.2f s (cpu %.2f s)%n", count, snapshots.size(), seconds(before), entries[0], seconds(started),
            (processCpuNanos() - cpu) / 1e9);
      }
      printThreadCpu();
    }
  }

  private static void readTrees(RepositoryOptions options) throws IOException {
    long cpu = processCpuNanos();
    long started = System.nanoTime();
    try (Engine engine = Engine.open(options, EngineHooks.DEFAULT)) {
      ContentReader reader = engine.reader();
      CompactIdSet seen = new CompactIdSet();
      long trees = 0;
      long entries = 0;
      // Snapshot by snapshot, oldest first, each tree once: the order a backup wrote them in, so that
      // the engine's cache of whole tree packs serves the walk as it serves a restore's.
      List<SnapshotManifest> manifests = new ArrayList<>();
      for (ObjectId id : engine.snapshotIds()) {
        manifests.add(engine.readSnapshot(id));
      }
      manifests.sort(java.util.Comparator.comparing(m -> m.summary().time()));
      for (SnapshotManifest manifest : manifests) {
        SnapshotManifest.Detail detail = manifest.detail();
        if (detail == null) {
          continue;
        }
        Deque<ObjectId> pending = new ArrayDeque<>();
        pending.push(detail.rootTree());
        while (!pending.isEmpty()) {
          ObjectId id = pending.pop();
          if (!seen.add(id)) {
            continue;
          }
          Tree tree = Tree.decode(reader.read(id, ChunkType.TREE));
          trees++;
          List<Node> nodes = tree.nodes();
          for (int i = nodes.size() - 1; i >= 0; i--) {
            entries++;
            ObjectId subtree = nodes.get(i).subtree();
            if (subtree != null && !seen.contains(subtree)) {
              pending.push(subtree);
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "read-trees: %,d distinct trees, %,d entries, one thread: %.2f s (cpu %.2f s)%n",
          trees, entries, seconds(started), (processCpuNanos() - cpu) / 1e9);
      printThreadCpu();
    } catch (dev.bakare.internal.format.CorruptDataException e) {
      throw new IOException("a generated tree does not decode: " + e.getMessage(), e);
    }
  }

  private static void search(RepositoryOptions options, Path dir, List<String> patterns) throws IOException {
    try (Repository repository = Repository.open(options)) {
      for (String pattern : patterns) {
        long started = System.nanoTime();
        long cpu = processCpuNanos();
        long[] built = {0, 0};
        FindResult result = repository.find(FindQuery.builder(pattern).limit(10).progress(p -> {
          if (p.snapshotsIndexed() == p.snapshotsToIndex()) {
            built[0] = System.nanoTime() - started;
            built[1] = processCpuNanos() - cpu;
          }
        }).build());
        double took = seconds(started);
        FoundPath top = result.best().isEmpty() ? null : result.best().get(0);
        System.out.printf(Locale.ROOT, "find %-22s %6.2f s (cpu %.2f s)  %,9d matches  %3d snapshots  top: %s%s%n",
            "'" + pattern + "'", took, (processCpuNanos() - cpu) / 1e9, result.matches(), result.snapshotsSearched(),
            top == null ? "-" : top.path(), top == null ? "" : " (" + top.versions().size() + " versions)");
        if (result.snapshotsIndexed() > 0) {
          System.out.printf(Locale.ROOT, "  of which building the index for %d snapshots: %.2f s (cpu %.2f s)%n",
              result.snapshotsIndexed(), built[0] / 1e9, built[1] / 1e9);
        }
      }
    }
    printThreadCpu();
    long size;
    int count;
    try (Stream<Path> files = Files.walk(dir.resolve("cache"))) {
      List<Path> names = files.filter(p -> p.toString().endsWith(".names")).toList();
      count = names.size();
      size = 0;
      for (Path p : names) {
        size += Files.size(p);
      }
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf(Locale.ROOT, "index on disk: %s in %d files; peak heap use %s (garbage included; -Xmx %s)%n",
        mib(size), count, mib(peak), mib(Runtime.getRuntime().maxMemory()));
  }

  /**
   * CPU seconds of the process's threads by their Linux name, the JIT compiler threads included (which
   * {@code ThreadMXBean} does not list): on two cores they take a large share of a cold JVM's first seconds.
   * Threads that ended already are not counted.
   */
  private static void printThreadCpu() throws IOException {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return;
    }
    Map<String, Long> ticks = new TreeMap<>();
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : threads.toList()) {
        String stat;
        try {
          stat = Files.readString(thread.resolve("stat"));
        } catch (NoSuchFileException e) {
          continue; // ended since the listing
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9#]+$", "");
        // utime and stime are the 14th and 15th fields of the line (proc(5)), in ticks of USER_HZ = 1/100 s.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks.merge(name.strip(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
      }
    }
    StringBuilder line = new StringBuilder("cpu by thread:");
    ticks.forEach((name, t) -> {
      if (t > 0) {
        line.append(String.format(Locale.ROOT, " %s %.2f s,", name, t / 100.0));
      }
    });
    System.out.println(line.substring(0, line.length() - 1));
  }

  /** CPU time of the whole process (all threads, JIT and GC included): a fair measure on a busy machine. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
