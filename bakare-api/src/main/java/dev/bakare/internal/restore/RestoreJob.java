package dev.bakare.internal.restore;

import dev.bakare.FileError;
import dev.bakare.IntegrityException;
import dev.bakare.Overwrite;
import dev.bakare.ProgressListener;
import dev.bakare.RepositoryException;
import dev.bakare.RestoreRequest;
import dev.bakare.RestoreResult;
import dev.bakare.internal.concurrent.DaemonThreads;
import dev.bakare.internal.concurrent.Pools;
import dev.bakare.internal.concurrent.TaskFailures;
import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import dev.bakare.internal.tree.TreeReader;
import dev.bakare.store.spi.BlobNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.InvalidPathException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One restore run: plan from the snapshot's trees, create directories and empty files, then read each
 * needed pack once (in ranges covering the chunks it needs), decrypt each chunk once and write it to every
 * file position that uses it, in parallel. Symlinks come last, so no write can pass through one, and
 * directory metadata after all content. Never writes outside the target: names from the snapshot are
 * checked, and existing symlinks in the target are never followed.
 */
public final class RestoreJob {
  /**
   * The most bytes one read of a pack covers, on a store that wants few operations in flight (a local
   * disk), where small reads cost no more than large ones: each restore thread's buffer stays that small
   * (the mixed benchmark tree's restore: peak RSS 118-121 MB against 143-155 MB with whole-pack reads, no
   * slower).
   */
  private static final int LOCAL_MAX_RANGE = 4 << 20;
  /** ... and on a store that wants many (a remote one), where every read pays a round trip. */
  private static final int REMOTE_MAX_RANGE = 32 << 20;
  private static final int MAX_GAP = 256 << 10;
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  /** What extends a file over a trailing hole: its last byte, written. */
  private static final byte[] ONE_ZERO = new byte[1];

  private final Engine engine;
  private final RestoreRequest request;
  private final BatchLimits batchLimits;
  private final int maxRange;
  private final ConcurrentLinkedQueue<FileError> errors = new ConcurrentLinkedQueue<>();
  private final List<String> includes = new ArrayList<>();
  private final AtomicLong restoredBytes = new AtomicLong();
  private final AtomicLong restoredFiles = new AtomicLong();
  /** Sets owner, mode and times on what the restore creates. */
  private final RestoredMetadata metadata;
  private @Nullable ContentReader reader;
  /** Directories this restore created or verified as real directories: files may go into them. */
  private final java.util.Set<Path> usableDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Whether the target held nothing before: then nothing can conflict and per-entry checks are skipped. */
  private boolean freshTarget;

  public RestoreJob(Engine engine, RestoreRequest request) {
    this(engine, request, BatchLimits.DEFAULT);
  }

  /** With batches of other sizes: tests restore many batches from a small tree. */
  public RestoreJob(Engine engine, RestoreRequest request, BatchLimits batchLimits) {
    this.engine = engine;
    this.request = request;
    this.batchLimits = batchLimits;
    this.maxRange = engine.smallReadsAreCheap() ? LOCAL_MAX_RANGE : REMOTE_MAX_RANGE;
    this.metadata = new RestoredMetadata(engine.hooks().clock().instant());
    for (String include : request.includes()) {
      String normalized = include.startsWith("/") ? include : "/" + include;
      while (normalized.length() > 1 && normalized.endsWith("/")) {
        normalized = normalized.substring(0, normalized.length() - 1);
      }
      includes.add(normalized);
    }
  }

  /** A directory entries go into, and its path in the snapshot; shared by all of its entries. */
  private record Destination(Path directory, String snapshotDirectory) {
    /** Where the entry restored as {@code name} goes. */
    Path target(String name) {
      return directory.resolve(name);
    }

    /** The snapshot path of the entry named {@code name} in the snapshot. */
    String snapshotPath(String name) {
      return snapshotDirectory + "/" + name;
    }
  }

  /**
   * An entry to restore: the directory it goes into, the name it gets there (its own, or the one it is
   * restored as), what it is. Its paths are derived when needed: a batch holds thousands of these until
   * restored, and a target path and a snapshot path each were a third of what a small file's plan kept
   * alive (and what the collector copied).
   */
  private record Planned(Destination in, String name, Node node) {
    Path target() {
      return in.target(name);
    }

    String snapshotPath() {
      return in.snapshotPath(node.name());
    }
  }

  /**
   * How many files and chunk references a batch may hold before it goes to the restore threads. Two
   * batches are live at once (one restored while the walk fills the next), so these bound the memory a
   * huge snapshot's restore plans with.
   */
  public record BatchLimits(int files, int chunks) {
    public static final BatchLimits DEFAULT = new BatchLimits(10_000, 50_000);

    public BatchLimits {
      if (files < 1 || chunks < 1) {
        throw new IllegalArgumentException("batch limits must be >= 1, got " + files + " files, " + chunks + " chunks");
      }
    }
  }

  public RestoreResult run() throws IOException {
    engine.requireFullKey("restoring");
    SnapshotManifest manifest = engine.readSnapshot(ObjectId.fromHex(request.snapshot().hex()));
    SnapshotManifest.Detail detail = manifest.detail();
    if (detail == null) {
      throw new IllegalStateException("a full key always reads the snapshot detail");
    }
    ContentReader contentReader = engine.onePassReader();
    this.reader = contentReader;
    TreeReader trees = TreeReader.uncached(contentReader);
    Path target = request.target().toAbsolutePath().normalize();
    if (Files.exists(target, NOFOLLOW) && !Files.isDirectory(target, NOFOLLOW)) {
      throw new RepositoryException("restore target " + target + " exists and is not a directory: choose a directory");
    }
    freshTarget = !Files.exists(target, NOFOLLOW) || isEmptyDirectory(target);
    if (!freshTarget && request.overwrite() == Overwrite.NEVER) {
      checkConflicts(trees, detail.rootTree(), target);
    }
    Files.createDirectories(target);
    usableDirectories.add(target);

    java.util.concurrent.ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("bakare-restore-progress"));
    ticker.scheduleAtFixedRate(this::reportProgress, 250, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
    ExecutorService pool = Executors.newFixedThreadPool(engine.options().threads(),
        DaemonThreads.named("bakare-restore"));
    boolean allRetired = false;
    try {
      activePool = pool;
      walk(trees, detail.rootTree(), target, this::restoreEntry);
      submitBatch(pool);
      while (!inFlight.isEmpty()) {
        retireOldestBatch();
      }
      allRetired = true;
    } finally {
      ticker.shutdownNow();
      pool.shutdownNow();
      if (!allRetired) {
        // A restore that fails part way leaves no file open: one on a bare descriptor has no cleaner.
        Pools.awaitQuietly(pool);
        for (Batch abandoned : inFlight) {
          abandoned.files().forEach(FileTask::abandon);
        }
      }
    }
    for (String include : includes) {
      if (!seenIncludes.contains(include)) {
        errors.add(new FileError(include, "not in the snapshot"));
      }
    }
    for (Planned[] link : hardLinks) {
      FileTask leader = hardLinkTasks.get(link[1].target());
      if (leader == null || leader.failure != null) {
        errors.add(new FileError(link[0].snapshotPath(), "hard link to " + link[1].snapshotPath() + ", which was not restored"));
        continue;
      }
      if (prepareTarget(link[0])) {
        Files.createLink(link[0].target(), link[1].target());
        restoredFiles.incrementAndGet();
      }
    }
    for (Planned p : symlinkEntries) {
      Path linkTarget;
      try {
        linkTarget = Path.of(p.node().linkTarget());
      } catch (InvalidPathException e) {
        errors.add(new FileError(p.snapshotPath(), unwritable("its target")));
        continue;
      }
      if (prepareTarget(p)) {
        Files.createSymbolicLink(p.target(), linkTarget);
        symlinks++;
        applyMetadata(p);
      }
    }
    for (int i = directoryEntries.size() - 1; i >= 0; i--) {
      applyMetadata(directoryEntries.get(i));
    }
    reportProgress();
    return new RestoreResult(restoredFiles.get(), directoryEntries.size(), symlinks, restoredBytes.get(),
        List.copyOf(errors));
  }

  private void reportProgress() {
    request.listener().onProgress(new ProgressListener.Progress(restoredFiles.get(), restoredBytes.get(), 0, errors.size()));
  }

  // ---- walking ----

  private final java.util.Set<String> seenIncludes = new java.util.HashSet<>();
  private final List<Planned> directoryEntries = new ArrayList<>();
  private final List<Planned> symlinkEntries = new ArrayList<>();
  private final List<Planned[]> hardLinks = new ArrayList<>();
  private final Map<Long, Map<Long, Planned>> hardLinkLeaders = new HashMap<>();
  private final Map<Path, FileTask> hardLinkTasks = new HashMap<>();
  private final List<FileTask> batch = new ArrayList<>();
  private long batchChunks;
  private long symlinks;

  /** What the walk hands each selected entry, parents before children. */
  @FunctionalInterface
  private interface EntryVisitor {
    void visit(Planned entry) throws IOException;
  }

  /** One directory being walked: its entries, read when first needed. */
  private static final class Frame {
    final ObjectId tree;
    final Destination destination;
    java.util.@Nullable Iterator<Node> nodes;

    Frame(ObjectId tree, String snapshotPath, Path targetDir) {
      this.tree = tree;
      this.destination = new Destination(targetDir, snapshotPath);
    }
  }

  /**
   * Walks the snapshot depth first with an explicit stack (a forged snapshot may nest deeper than the
   * thread's stack), checking every name, and visits the entries the includes select, directories before
   * what they hold.
   */
  private void walk(TreeReader trees, ObjectId root, Path target, EntryVisitor visitor) throws IOException {
    java.util.ArrayDeque<Frame> stack = new java.util.ArrayDeque<>();
    stack.push(new Frame(root, "", target));
    while (!stack.isEmpty()) {
      Frame frame = stack.peek();
      Path targetDir = frame.destination.directory();
      String snapshotDir = frame.destination.snapshotDirectory();
      if (frame.nodes == null) {
        try {
          frame.nodes = trees.read(frame.tree).nodes().iterator();
        } catch (IOException e) {
          errors.add(new FileError(snapshotDir.isEmpty() ? "/" : snapshotDir,
              "directory unreadable: " + e.getMessage()));
          stack.pop();
          continue;
        }
      }
      if (!frame.nodes.hasNext()) {
        stack.pop();
        continue;
      }
      Node node = frame.nodes.next();
      String path = snapshotDir + "/" + node.name();
      String problem = SafeNames.problem(node.name());
      if (problem != null) {
        errors.add(new FileError(path, "refused: " + problem + " could write outside the target"));
        continue;
      }
      boolean selected = isSelected(path);
      if (!selected && !leadsToInclude(path)) {
        continue;
      }
      String restoreAs = request.restoreAs();
      if (restoreAs != null && !selected) {
        // The entry goes straight into the target under its new name: no directory leads to it.
        ObjectId subtree = node.subtree();
        if (node.type() == NodeType.DIRECTORY && subtree != null) {
          stack.push(new Frame(subtree, path, targetDir));
        }
        continue;
      }
      String name = restoreAs != null && path.equals(includes.get(0)) ? restoreAs : node.name();
      Path entryTarget;
      try {
        entryTarget = targetDir.resolve(name);
      } catch (InvalidPathException e) {
        errors.add(new FileError(path, unwritable("its name")));
        continue;
      }
      if (!entryTarget.startsWith(target) || !targetDir.equals(entryTarget.getParent())) {
        errors.add(new FileError(path, "refused: the name resolves outside the target"));
        continue;
      }
      if (node.type() == NodeType.DIRECTORY) {
        visitor.visit(new Planned(frame.destination, name, node));
        ObjectId subtree = node.subtree();
        if (subtree != null) {
          // The stack is explicit, but paths this deep cannot be created (PATH_MAX); one error, not one per level.
          String tooDeep = Tree.tooDeep(stack.size() + 1);
          if (tooDeep != null) {
            errors.add(new FileError(path, "not restored: " + tooDeep));
          } else {
            stack.push(new Frame(subtree, path, entryTarget));
          }
        } else if (node.hasError()) {
          errors.add(new FileError(path, "directory content not in the backup: " + node.error()));
        }
      } else if (selected) {
        visitor.visit(new Planned(frame.destination, name, node));
      }
    }
  }

  /**
   * Why an entry whose {@code what} ("its name", "its target") has characters the JVM's file name encoding
   * cannot write is not restored: a JVM in the C locale encodes names as ASCII.
   */
  private static String unwritable(String what) {
    return "not restored: " + what + " cannot be written in this JVM's file name encoding ("
        + System.getProperty("sun.jnu.encoding", "unknown") + "): restore with a UTF-8 locale (e.g. LANG=C.UTF-8)";
  }

  /** The restore pass: directories at once, files in batches, links and directory metadata at the end. */
  private void restoreEntry(Planned p) throws IOException {
    if (!includes.isEmpty()) {
      String path = p.snapshotPath();
      if (includes.contains(path)) {
        seenIncludes.add(path);
      }
    }
    Node node = p.node();
    switch (node.type()) {
      case DIRECTORY -> {
        if (createDirectory(p)) {
          directoryEntries.add(p);
        }
      }
      case FILE -> restoreFile(p);
      case SYMLINK -> symlinkEntries.add(p);
      default -> errors.add(new FileError(p.snapshotPath(),
          node.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
              + " not restored: bakare restores files, directories and symlinks"));
    }
  }

  private void restoreFile(Planned p) throws IOException {
    Node node = p.node();
    if (node.hasError() && node.content().isEmpty() && node.size() > 0) {
      errors.add(new FileError(p.snapshotPath(), "not in the backup: " + node.error()));
      return;
    }
    boolean leader = false;
    if (node.links() > 1) {
      Map<Long, Planned> byInode = hardLinkLeaders.computeIfAbsent(node.device(), d -> new HashMap<>());
      Planned first = byInode.get(node.inode());
      if (first != null) {
        hardLinks.add(new Planned[] {p, first});
        return;
      }
      byInode.put(node.inode(), p);
      leader = true;
    }
    if (!prepareTarget(p)) {
      return;
    }
    FileTask task = new FileTask(p.in(), p.name(), node);
    if (leader) {
      hardLinkTasks.put(p.target(), task);
    }
    batch.add(task);
    batchChunks += Math.max(1, node.content().size());
    if (batchChunks >= batchLimits.chunks() || batch.size() >= batchLimits.files()) {
      submitBatch(batchPool());
    }
  }

  private @Nullable ExecutorService activePool;

  private ExecutorService batchPool() {
    return java.util.Objects.requireNonNull(activePool, "restore pool");
  }

  /** A batch handed to the restore threads: its files and the tasks restoring them. */
  private record Batch(List<FileTask> files, List<Future<?>> tasks) {}

  /** Batches submitted and not yet retired, oldest first; never more than two. */
  private final java.util.ArrayDeque<Batch> inFlight = new java.util.ArrayDeque<>();

  /**
   * Hands the files collected so far to the restore threads (each pack they need is read once), then
   * waits for the batch before this one. The walk thus fills the next batch while the threads restore
   * this one, and they find this one queued when they finish the one before: neither waits for the other
   * (a restore of 300,000 small files spent a tenth of its time walking with both threads idle).
   */
  private void submitBatch(ExecutorService pool) throws IOException {
    activePool = pool;
    if (batch.isEmpty()) {
      return;
    }
    List<FileTask> files = new ArrayList<>(batch);
    batch.clear();
    batchChunks = 0;
    List<FileTask> empty = new ArrayList<>();
    Map<ObjectId, PackWork> work = assignChunks(files, empty);
    inFlight.add(new Batch(files, submitPackWork(pool, work, empty)));
    while (inFlight.size() > 1) {
      retireOldestBatch();
    }
  }

  /** Waits for the oldest batch in flight, then reports and removes its files that failed. */
  private void retireOldestBatch() throws IOException {
    Batch oldest = inFlight.remove();
    awaitAll(oldest.tasks());
    for (FileTask task : oldest.files()) {
      if (task.failure != null) {
        errors.add(new FileError(task.snapshotPath(), task.failure));
        Files.deleteIfExists(task.target());
      }
    }
  }

  /** Before writing anything into a target that holds files: fail if the restore would overwrite one. */
  private void checkConflicts(TreeReader trees, ObjectId root, Path target) throws IOException {
    List<String> conflicts = new ArrayList<>();
    walk(trees, root, target, p -> {
      boolean exists = Files.exists(p.target(), NOFOLLOW);
      boolean isDirectory = Files.isDirectory(p.target(), NOFOLLOW);
      if (p.node().type() == NodeType.DIRECTORY ? exists && !isDirectory : exists) {
        conflicts.add(p.target().toString());
      }
    });
    // The walk's own complaints (unsafe names, unreadable trees) come again in the restore pass.
    errors.clear();
    if (!conflicts.isEmpty()) {
      throw new RepositoryException("restore would overwrite " + conflicts.size() + " existing "
          + (conflicts.size() == 1 ? "entry" : "entries") + " in " + target + " (first: " + conflicts.get(0)
          + "); nothing was written: restore into an empty directory, or choose --overwrite=if-changed or always");
    }
  }

  private boolean isSelected(String path) {
    if (includes.isEmpty()) {
      return true;
    }
    for (String include : includes) {
      if (include.equals("/") || path.equals(include) || path.startsWith(include + "/")) {
        return true;
      }
    }
    return false;
  }

  private boolean leadsToInclude(String path) {
    for (String include : includes) {
      if (include.startsWith(path + "/")) {
        return true;
      }
    }
    return false;
  }

  // ---- creating entries ----

  private boolean createDirectory(Planned p) throws IOException {
    if (!usableDirectories.contains(p.in().directory())) {
      errors.add(new FileError(p.snapshotPath(), "not restored: its directory could not be created"));
      return false;
    }
    Path dir = p.target();
    if (freshTarget) {
      Files.createDirectory(dir);
      usableDirectories.add(dir);
      return true;
    }
    if (Files.isDirectory(dir, NOFOLLOW)) {
      usableDirectories.add(dir);
      return true;
    }
    if (Files.exists(dir, NOFOLLOW)) {
      if (Files.isSymbolicLink(dir) || request.overwrite() == Overwrite.NEVER) {
        errors.add(new FileError(p.snapshotPath(), "refused: " + dir + " exists and is not a directory (never written through)"));
        return false;
      }
      Files.delete(dir);
    }
    Files.createDirectory(dir);
    usableDirectories.add(dir);
    return true;
  }

  /**
   * Makes room for a file or link at the planned target according to the overwrite policy. Returns false
   * (with an error or as an unchanged file) where nothing should be written.
   */
  private boolean prepareTarget(Planned p) throws IOException {
    if (!usableDirectories.contains(p.in().directory())) {
      errors.add(new FileError(p.snapshotPath(), "not restored: its directory could not be created"));
      return false;
    }
    if (freshTarget) {
      return true;
    }
    Path path = p.target();
    if (!Files.exists(path, NOFOLLOW)) {
      return true;
    }
    switch (request.overwrite()) {
      case NEVER -> {
        errors.add(new FileError(p.snapshotPath(), "not restored: " + path + " exists"));
        return false;
      }
      case IF_CHANGED -> {
        if (p.node().type() == NodeType.FILE && unchanged(path, p.node())) {
          restoredFiles.incrementAndGet();
          return false;
        }
      }
      case ALWAYS -> { }
    }
    try {
      Files.delete(path);
    } catch (DirectoryNotEmptyException e) {
      errors.add(new FileError(p.snapshotPath(), "not restored: " + path + " is a non-empty directory"));
      return false;
    }
    return true;
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static boolean unchanged(Path path, Node node) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
    return a.isRegularFile() && a.size() == node.size() && a.lastModifiedTime().toInstant().equals(node.mtime());
  }

  // ---- content ----

  /**
   * A file being written: where it goes, what it gets besides content, how many chunk writes remain and
   * whether one failed. Kept compact (no node, no paths): a restore holds thousands of these until their
   * batch is done, and what they held was most of what the collector copied and marked.
   */
  private final class FileTask {
    private static final VarHandle REMAINING = remainingHandle();

    final Destination in;
    /** The name it is restored as. */
    final String name;
    /** Its name in the snapshot (another than {@link #name} only for a file restored under a new name). */
    final String snapshotName;
    final long size;
    final EntryAttributes attributes;
    /** The chunks to write, until they are assigned to the packs that hold them. */
    @Nullable List<ObjectId> content;
    @SuppressWarnings("unused") // through REMAINING
    private volatile int remaining;
    volatile @Nullable String failure;
    private @Nullable RestoredFile file;
    /** The end of the last byte written; the file was created empty, so this is its size. */
    private long writtenEnd;

    FileTask(Destination in, String name, Node node) {
      this.in = in;
      this.name = name;
      this.snapshotName = node.name();
      this.size = node.size();
      this.attributes = EntryAttributes.of(node);
      this.content = node.content();
      this.remaining = node.content().size();
    }

    Path target() {
      return in.target(name);
    }

    String snapshotPath() {
      return in.snapshotPath(snapshotName);
    }

    /** Counts one chunk as written or failed; true for the last one. */
    boolean chunkDone() {
      return (int) REMAINING.getAndAdd(this, -1) == 1;
    }

    synchronized void write(byte[] data, int from, int length, long offset) throws IOException {
      if (failure != null) {
        return;
      }
      writtenEnd = Math.max(writtenEnd, SparseWriter.write(open(), data, from, length, offset));
    }

    /** Creates the file on first use, with its permissions; creating it never writes through a link. */
    private RestoredFile open() throws IOException {
      RestoredFile f = file;
      if (f == null) {
        Path target = target();
        try {
          f = RestoredFile.createNew(target, attributes.mode());
        } catch (FileAlreadyExistsException e) {
          throw new IOException(target + " appeared during the restore; it was not overwritten", e);
        }
        file = f;
      }
      return f;
    }

    /** Closes the file if it is open, for a restore that failed part way; reports nothing. */
    synchronized void abandon() {
      if (failure == null) {
        failure = "the restore failed before this file was complete";
      }
      closeFile();
    }

    synchronized void fail(String reason) {
      if (failure == null) {
        failure = reason;
        request.listener().onError(new FileError(snapshotPath(), reason));
      }
      closeFile();
    }

    /**
     * Called once, after the last chunk (or at once for an empty file): extends the file over a trailing
     * hole, closes it, and sets its metadata, on the worker that wrote it last.
     */
    synchronized void finish() {
      if (failure != null) {
        return;
      }
      try {
        RestoredFile f = open();
        if (writtenEnd < size) {
          f.write(ONE_ZERO, 0, 1, size - 1);
        }
        // Before closing: the times can then be set through the descriptor, not by path.
        String problem = metadataProblem(f.path(), attributes, metadata.createdWithItsMode(attributes.mode()), f);
        if (problem != null) {
          errors.add(new FileError(snapshotPath(), problem));
        }
      } catch (IOException e) {
        fail("writing failed: " + e.getMessage());
        return;
      }
      closeFile();
      if (failure == null) {
        restoredFiles.incrementAndGet();
      }
    }

    private void closeFile() {
      RestoredFile f = file;
      file = null;
      if (f != null) {
        try {
          f.close();
        } catch (IOException e) {
          if (failure == null) {
            failure = "closing failed: " + e.getMessage();
          }
        }
      }
    }

    private static VarHandle remainingHandle() {
      try {
        return MethodHandles.lookup().findVarHandle(FileTask.class, "remaining", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }

  /**
   * A chunk needed from a pack and the place in a file it goes to. Where a batch needs one chunk in several
   * places, one of its needs carries the others: the chunk is then read and opened once. A batch keeps one
   * of these per chunk reference until it is restored, hence no map entries, boxed offsets or use lists.
   */
  private static final class ChunkNeed {
    final ObjectId id;
    final ChunkLocation location;
    final FileTask file;
    final long fileOffset;
    /** The other places the same chunk goes, once the pack's needs are merged. */
    @Nullable List<ChunkNeed> alsoNeeded;

    ChunkNeed(ObjectId id, ChunkLocation location, FileTask file, long fileOffset) {
      this.id = id;
      this.location = location;
      this.file = file;
      this.fileOffset = fileOffset;
    }

    boolean sameChunk(ChunkNeed other) {
      return location.offset() == other.location.offset() && id.equals(other.id);
    }
  }

  /** The chunks needed from one pack, in the order the batch's files need them. */
  private static final class PackWork {
    final List<ChunkNeed> chunks = new ArrayList<>();

    /**
     * The needs in pack order, each chunk once, carrying its other places: sorted on the restore thread,
     * where the sort costs the walk nothing. Needs at one offset under different ids (only a forged index
     * lists those) stay apart, and each fails its own integrity check.
     */
    List<ChunkNeed> byOffset() {
      chunks.sort(BY_PACK_POSITION);
      List<ChunkNeed> merged = new ArrayList<>(chunks.size());
      int runStart = 0;
      for (ChunkNeed need : chunks) {
        if (!merged.isEmpty() && merged.get(merged.size() - 1).location.offset() != need.location.offset()) {
          runStart = merged.size();
        }
        ChunkNeed same = null;
        for (int i = runStart; i < merged.size() && same == null; i++) {
          if (merged.get(i).sameChunk(need)) {
            same = merged.get(i);
          }
        }
        if (same == null) {
          merged.add(need);
        } else {
          if (same.alsoNeeded == null) {
            same.alsoNeeded = new ArrayList<>(2);
          }
          same.alsoNeeded.add(need);
        }
      }
      return merged;
    }
  }

  private static final java.util.Comparator<ChunkNeed> BY_PACK_POSITION =
      java.util.Comparator.comparingLong(need -> need.location.offset());

  /**
   * Finds each file's chunks in the index and groups them by pack; files with no content go to {@code
   * empty}. A file whose chunk the index lacks fails, and what it had assigned is written nowhere.
   */
  private Map<ObjectId, PackWork> assignChunks(List<FileTask> files, List<FileTask> empty) {
    ContentReader contentReader = java.util.Objects.requireNonNull(reader);
    Map<ObjectId, PackWork> work = new HashMap<>();
    for (FileTask task : files) {
      List<ObjectId> content = java.util.Objects.requireNonNull(task.content, "a file's chunks are assigned once");
      task.content = null;
      if (content.isEmpty()) {
        empty.add(task);
        continue;
      }
      long offset = 0;
      for (ObjectId chunk : content) {
        ChunkLocation location = contentReader.index().find(chunk).orElse(null);
        if (location == null) {
          task.fail("chunk " + chunk.shortHex() + " is missing from the repository index: run check, then repair");
          break;
        }
        work.computeIfAbsent(location.pack().id(), id -> new PackWork()).chunks
            .add(new ChunkNeed(chunk, location, task, offset));
        offset += location.rawLength();
      }
    }
    return work;
  }

  private List<Future<?>> submitPackWork(ExecutorService pool, Map<ObjectId, PackWork> work,
      List<FileTask> emptyFiles) {
    List<Future<?>> futures = new ArrayList<>();
    int slice = 256;
    for (int i = 0; i < emptyFiles.size(); i += slice) {
      List<FileTask> part = emptyFiles.subList(i, Math.min(emptyFiles.size(), i + slice));
      futures.add(pool.submit(() -> part.forEach(FileTask::finish)));
    }
    for (Map.Entry<ObjectId, PackWork> e : work.entrySet()) {
      futures.add(pool.submit(() -> {
        restorePack(e.getKey(), e.getValue());
        return null;
      }));
    }
    return futures;
  }

  private static void awaitAll(List<Future<?>> futures) throws IOException {
    try {
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw TaskFailures.rethrow(e.getCause(), "a restore thread");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("restore interrupted");
    }
  }

  /**
   * What a restore worker reuses from pack to pack instead of allocating per range and per chunk: the
   * bytes of a range it read and the chunk it opens. Allocating them anew cost a 1.5 GB restore 80 garbage
   * collections, 16 of them full ones, 0.7 s of pauses in 4.1 s.
   */
  private static final class WorkerBuffers {
    private byte[] range = new byte[0];
    final ContentReader.ChunkBuffers chunk = new ContentReader.ChunkBuffers();

    /**
     * A buffer of at least {@code length} bytes. A run of ever larger ranges reallocates a few times, not
     * once per range: it doubles up to 1 MiB, then grows in whole MiB, to at most 1 MiB over the largest
     * range read (doubling there would hold up to twice the largest pack per thread).
     */
    byte[] range(int length) {
      if (range.length < length) {
        int mib = 1 << 20;
        int grown = length >= mib ? (int) Math.min(Integer.MAX_VALUE, ((long) length + mib - 1) / mib * mib)
            : Math.min(mib, Math.max(length, 2 * range.length));
        range = new byte[grown];
      }
      return range;
    }
  }

  /** Buffers of workers between packs: at most one set per restore thread. */
  private final ConcurrentLinkedQueue<WorkerBuffers> spareBuffers = new ConcurrentLinkedQueue<>();

  /** Reads the needed ranges of one pack and writes its chunks out; per-chunk failures fail their files. */
  private void restorePack(ObjectId packId, PackWork work) throws IOException {
    WorkerBuffers buffers = spareBuffers.poll();
    if (buffers == null) {
      buffers = new WorkerBuffers();
    }
    try {
      restorePack(packId, work, buffers);
    } finally {
      spareBuffers.offer(buffers);
    }
  }

  private void restorePack(ObjectId packId, PackWork work, WorkerBuffers buffers) throws IOException {
    ContentReader contentReader = java.util.Objects.requireNonNull(reader);
    List<ChunkNeed> range = new ArrayList<>();
    for (ChunkNeed need : work.byOffset()) {
      if (!range.isEmpty()) {
        ChunkNeed first = range.get(0);
        ChunkNeed last = range.get(range.size() - 1);
        long lastEnd = last.location.offset() + last.location.storedLength();
        long newEnd = need.location.offset() + need.location.storedLength();
        if (need.location.offset() - lastEnd > MAX_GAP || newEnd - first.location.offset() > maxRange) {
          restoreRange(contentReader, packId, range, buffers);
          range = new ArrayList<>();
        }
      }
      range.add(need);
    }
    if (!range.isEmpty()) {
      restoreRange(contentReader, packId, range, buffers);
    }
  }

  private void restoreRange(ContentReader contentReader, ObjectId packId, List<ChunkNeed> range,
      WorkerBuffers buffers) throws IOException {
    long start = range.get(0).location.offset();
    long end = start;
    for (ChunkNeed need : range) {
      // The furthest end, not the last chunk's: a forged index may list chunks that overlap.
      end = Math.max(end, need.location.offset() + need.location.storedLength());
    }
    int length = (int) (end - start);
    byte[] bytes = buffers.range(length);
    try {
      engine.store().read(Layout.pack(packId), start, ByteBuffer.wrap(bytes, 0, length));
    } catch (BlobNotFoundException e) {
      restoreMoved(contentReader, packId, range, e);
      return;
    } catch (IOException e) {
      for (ChunkNeed need : range) {
        failUses(need, "pack " + Layout.pack(packId) + " could not be read: " + e.getMessage());
      }
      return;
    }
    for (ChunkNeed need : range) {
      try {
        // In place: a chunk is opened once, and a worker then holds no array for decrypted chunks.
        contentReader.openInPlace(need.id, need.location, bytes, (int) (need.location.offset() - start),
            buffers.chunk);
      } catch (IntegrityException e) {
        failUses(need, e.getMessage());
        continue;
      }
      writeUses(need, buffers.chunk.plain(), buffers.chunk.plainOffset(), need.location.rawLength());
    }
  }

  /**
   * A pack deleted after this restore read the index: a prune repacked its live chunks before deleting
   * it, so each chunk is read, one by one, from where the index says it lives now.
   */
  private void restoreMoved(ContentReader contentReader, ObjectId packId, List<ChunkNeed> range,
      BlobNotFoundException gone) {
    for (ChunkNeed need : range) {
      byte[] plain;
      try {
        if (contentReader.relocate(need.id, packId).isEmpty()) {
          failUses(need, "pack " + Layout.pack(packId) + " could not be read, and no other pack holds chunk "
              + need.id.shortHex() + ": " + gone.getMessage());
          continue;
        }
        plain = contentReader.read(need.id, ChunkType.DATA);
      } catch (IOException e) {
        failUses(need, "chunk " + need.id.shortHex() + " could not be read after its pack " + Layout.pack(packId)
            + " was deleted: " + e.getMessage());
        continue;
      }
      writeUses(need, plain, 0, plain.length);
    }
  }

  /** Writes the chunk, the first {@code length} bytes of {@code plain}, wherever it goes. */
  private void writeUses(ChunkNeed need, byte[] plain, int from, int length) {
    write(need, plain, from, length);
    List<ChunkNeed> others = need.alsoNeeded;
    if (others != null) {
      for (ChunkNeed other : others) {
        write(other, plain, from, length);
      }
    }
  }

  private void write(ChunkNeed need, byte[] plain, int from, int length) {
    FileTask file = need.file;
    try {
      file.write(plain, from, length, need.fileOffset);
      restoredBytes.addAndGet(length);
    } catch (IOException e) {
      file.fail("writing failed: " + e.getMessage());
    }
    if (file.chunkDone() && file.failure == null) {
      file.finish();
    }
  }

  private void failUses(ChunkNeed need, String reason) {
    need.file.fail(reason);
    need.file.chunkDone();
    List<ChunkNeed> others = need.alsoNeeded;
    if (others != null) {
      for (ChunkNeed other : others) {
        other.file.fail(reason);
        other.file.chunkDone();
      }
    }
  }

  // ---- metadata ----

  /** Sets a directory's or symlink's owner, mode and times; a failure is the entry's error. */
  private void applyMetadata(Planned p) {
    String problem = metadataProblem(p.target(), EntryAttributes.of(p.node()), false, null);
    if (problem != null) {
      errors.add(new FileError(p.snapshotPath(), problem));
    }
  }

  /** Sets what the entry at {@code target} gets besides content; returns why that failed, or null. */
  private @Nullable String metadataProblem(Path target, EntryAttributes attributes, boolean modeSet,
      @Nullable RestoredFile open) {
    try {
      metadata.apply(target, attributes, modeSet, open);
      return null;
    } catch (IOException | UnsupportedOperationException e) {
      return "restored, but its metadata could not be set: " + e.getMessage();
    }
  }
}
