package dev.bakare.internal.backup;

import dev.bakare.BackupRequest;
import dev.bakare.FileError;
import dev.bakare.ProgressListener;
import dev.bakare.RepositoryException;
import dev.bakare.SnapshotStats;
import dev.bakare.chunking.ChunkStream;
import dev.bakare.internal.concurrent.DaemonThreads;
import dev.bakare.internal.concurrent.Pools;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentWriter;
import dev.bakare.internal.content.PackStaging;
import dev.bakare.internal.format.ByteWriter;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.protocol.WriterSession;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.TreeReader;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One pass over the sources: a pool of walk threads lists directories and reads their entries' metadata,
 * one directory a task; files are read, chunked and stored by a pool of workers (bounded queue, so the
 * walk never runs far ahead), who hand chunks of large files to storer threads while a core is free; a
 * directory's tree is stored when its last child is done; uploads run on their own pool. The pass ends
 * with every pack uploaded; committing is {@link BackupJob}'s. A file that cannot be read becomes an error
 * record; a storage failure fails the pass. In sequential mode everything runs on the calling thread,
 * depth first.
 */
final class BackupPass {
  private static final System.Logger LOG = System.getLogger(BackupPass.class.getName());
  /**
   * Files smaller than this are read by the walk thread that finds them ({@link #readSmallFile}). Small
   * enough that the walk threads' buffers stay a few MiB; large enough for most of a home directory's files.
   */
  private static final int READ_AHEAD_BYTES = 128 << 10;
  /**
   * Stack of a walk thread. A directory walked when every walk task is taken is walked on the thread that
   * found it, recursively (as the sequential walk does on the calling thread); this holds source trees
   * deeper than restore follows ({@code Tree.MAX_DEPTH}). Only touched pages cost memory.
   */
  private static final long WALK_STACK_BYTES = 16L << 20;
  /**
   * Files from this size on have chunks handed to the storers ({@link #storeDataSoon}). A copy of each
   * chunk and a storer's compression buffer are the price: in the mixed benchmark tree's 1% change (files
   * of up to 48 MiB) that was 2-5 MB more peak RSS and no time saved; a 1.2 GB file took 5.3-5.6 s instead
   * of 7.1-7.2 s.
   */
  private static final long HAND_OFF_MIN_BYTES = 64L << 20;
  /** What {@link #allOf} returns when every future is done: completed, so no stage is ever added to it. */
  private static final CompletableFuture<@Nullable Void> DONE = CompletableFuture.completedFuture(null);
  /** The result of every entry that is as it was: one future for all of them. */
  private static final CompletableFuture<@Nullable Node> SAME_RESULT =
      CompletableFuture.completedFuture(ParentDirectory.SAME);
  private final Engine engine;
  private final BackupRequest request;
  private final FileOpener opener;
  private final ChunkIndex index;
  private final WriterSession session;
  private final boolean sequential;
  private final @Nullable ObjectId parentRoot;
  private final @Nullable TreeReader parentTrees;
  private final AtomicLong unchangedFiles = new AtomicLong();
  private long lastCheckpointMillis;
  private long uploadedAtLastCheckpoint;
  private long chunksAtLastCheckpoint;
  private long checkpoints;
  private final SourceMetadata metadata = new SourceMetadata();
  private final List<PathMatcher> nameExcludes = new ArrayList<>();
  private final List<PathMatcher> pathExcludes = new ArrayList<>();
  private final ConcurrentLinkedQueue<FileError> errors = new ConcurrentLinkedQueue<>();
  private final AtomicLong files = new AtomicLong();
  private final AtomicLong directories = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final ThreadLocal<ChunkStream> chunkStreams;
  /** Where each thread encodes the trees it stores (the writer copies what it keeps). */
  private static final int MAX_KEPT_TREE_BUFFER = 1 << 20;
  private final ThreadLocal<ByteWriter> treeBuffers = ThreadLocal.withInitial(() -> new ByteWriter(64 << 10));
  private volatile @Nullable Throwable fatal;
  private @Nullable ContentWriter writer;
  private @Nullable ExecutorService workers;
  /**
   * Threads that compress and seal chunks of a file while the worker reading it goes on to its next chunk
   * (see {@link #storeDataSoon}): a single large file otherwise kept one core busy. Null in sequential mode
   * or with one thread. Each permit is a chunk copied out of the reader's buffer, so they also bound that
   * memory.
   */
  private @Nullable ExecutorService storers;
  private @Nullable Semaphore storerPermits;
  /** Workers storing a file's chunks, counted so that chunks are handed off only while a core has none. */
  private final AtomicInteger busyWorkers = new AtomicInteger();
  /** The walk pool; null in sequential mode, where the calling thread walks. */
  private @Nullable ExecutorService walkers;
  /** Directory tasks queued or running on the walk pool, at most {@link #maxWalkTasks}. */
  private final AtomicInteger walkTasks = new AtomicInteger();
  private int maxWalkTasks;
  /** Set when the pass ends, so that walk tasks still running after a failure stop at their next entry. */
  private volatile boolean ended;

  /**
   * @param parentRoot the root tree of the parent snapshot, whose unchanged files are reused without being
   *     read, or null to read everything
   * @param parentTrees reads the parent's trees (needs the full key); null when there is no parent
   */
  BackupPass(Engine engine, BackupRequest request, FileOpener opener, ChunkIndex index, WriterSession session,
      @Nullable ObjectId parentRoot, @Nullable TreeReader parentTrees) {
    this.engine = engine;
    this.request = request;
    this.opener = opener;
    this.index = index;
    this.session = session;
    this.parentRoot = parentRoot;
    this.parentTrees = parentTrees;
    this.sequential = engine.hooks().sequential();
    this.chunkStreams = ThreadLocal.withInitial(() -> new ChunkStream(engine.chunker()));
    for (String pattern : request.excludes()) {
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
      (pattern.contains("/") ? pathExcludes : nameExcludes).add(matcher);
    }
  }

  /**
   * What a pass produced: the root tree, the packs it uploaded (for the index), its statistics and the
   * files it could not read.
   */
  record Result(ObjectId root, List<IndexSegment.IndexedPack> packs, SnapshotStats stats, List<FileError> errors,
      List<String> paths) {}

  Result run() throws IOException {
    SourceTrie sources = SourceTrie.of(request.paths());
    int threads = engine.options().threads();
    int packSize = engine.config().packSize();
    int concurrency = engine.store().capabilities().recommendedConcurrency();
    PackStaging staging = engine.packStaging();
    int slots;
    int uploadsInFlight;
    if (staging.inFiles()) {
      // A staged pack costs a file and a small buffer: a pack per thread, and as many uploads as the store
      // wants in flight, whatever the memory limit.
      slots = threads;
      uploadsInFlight = 2 * concurrency;
    } else {
      // Packs being filled and uploaded are most of a backup's memory: they get half of the limit, or half
      // of the heap when the JVM was given less than the limit.
      int budgetPacks = (int) Math.max(3, engine.packsInHalfTheBudget());
      slots = Math.max(1, Math.min(threads, budgetPacks / 3));
      uploadsInFlight = Math.max(1, Math.min(budgetPacks - slots, 2 * concurrency));
    }
    ExecutorService uploads = sequential ? new DirectExecutorService()
        : Executors.newFixedThreadPool(Math.min(uploadsInFlight, concurrency), DaemonThreads.named("bakare-upload"));
    ExecutorService pool = sequential ? new DirectExecutorService()
        : new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads * 2),
            DaemonThreads.named("bakare-backup"), BackupPass::blockUntilQueued);
    // Reading metadata from a cold cache waits on the disk, not the processor: more walk threads than cores
    // keep more reads outstanding. Tasks beyond twice the threads are walked inline by the thread that
    // found them (see walkDirectory), which bounds the queue and the directories held open.
    int walkThreads = Math.min(64, Math.max(8, 4 * threads));
    @Nullable ExecutorService walk = sequential ? null
        : new ThreadPoolExecutor(walkThreads, walkThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            DaemonThreads.named("bakare-walk", WALK_STACK_BYTES));
    this.walkers = walk;
    this.maxWalkTasks = 2 * walkThreads;
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("bakare-progress"));
    ContentWriter contentWriter = new ContentWriter(engine.store(), engine.sealing(), engine.hasher(),
        engine.compressor(), index, packSize, slots, uploadsInFlight, uploads, staging);
    this.writer = contentWriter;
    this.workers = pool;
    @Nullable ExecutorService storing = sequential || threads < 2 ? null
        : Executors.newFixedThreadPool(threads - 1, DaemonThreads.named("bakare-store"));
    this.storers = storing;
    this.storerPermits = storing == null ? null : new Semaphore(threads - 1);
    ProgressListener listener = request.listener();
    lastCheckpointMillis = engine.hooks().clock().millis();
    ticker.scheduleAtFixedRate(() -> {
      if (!sequential) {
        checkpointIfDue();
      }
      try {
        listener.onProgress(progress());
      } catch (RuntimeException e) {
        // A failing listener must not end the timer, which also drives checkpoints.
        LOG.log(System.Logger.Level.WARNING, "progress listener failed: " + e, e);
      }
    }, 250, 250, TimeUnit.MILLISECONDS);
    try {
      ObjectId root;
      try {
        root = treeOf(sources.root(), Path.of("/"), loadParent(parentRoot)).get();
      } catch (ExecutionException e) {
        throw unwrap(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("backup interrupted");
      }
      List<IndexSegment.IndexedPack> packs;
      synchronized (this) {
        // No checkpoint between the last drain and the final flush: every pack is indexed exactly once.
        packs = contentWriter.flush();
        this.writer = null;
      }
      if (fatal instanceof IOException failure) {
        throw failure;
      }
      // In path order: the walk runs on many threads, and the same failures should read the same each time.
      List<FileError> errorList = errors.stream()
          .sorted(Comparator.comparing(FileError::path).thenComparing(FileError::reason)).toList();
      SnapshotStats stats = new SnapshotStats(files.get(), unchangedFiles.get(), directories.get(), bytes.get(),
          contentWriter.stats().newBytes(), contentWriter.stats().storedBytes(), errorList.size());
      List<String> paths = new ArrayList<>();
      for (Path p : sources.paths()) {
        paths.add(p.toString());
      }
      // The writer field is cleared by now (no checkpoint after the flush); the last line still counts its bytes.
      listener.onProgress(progress(contentWriter));
      return new Result(root, packs, stats, errorList, paths);
    } finally {
      ended = true;
      ticker.shutdownNow();
      if (walk != null) {
        // After a failure, walk tasks may still run (their results are no longer awaited); none may touch
        // the writer or the session once the pass has returned.
        walk.shutdownNow();
        Pools.awaitQuietly(walk);
      }
      pool.shutdownNow();
      Pools.awaitQuietly(pool);
      if (storing != null) {
        storing.shutdownNow();
        Pools.awaitQuietly(storing);
      }
      uploads.shutdown();
      Pools.awaitQuietly(uploads);
      // Only now no thread touches the writer's packs any more.
      contentWriter.close();
    }
  }

  /**
   * Records the index of the packs uploaded since the last checkpoint, when the interval or the byte
   * threshold has passed. A storage failure here is a failure of the backup, like one of an upload.
   */
  private synchronized void checkpointIfDue() {
    ContentWriter w = writer;
    if (w == null || fatal != null) {
      return;
    }
    long now = engine.hooks().clock().millis();
    long uploaded = w.stats().uploadedBytes();
    long chunks = w.stats().uploadedChunks();
    if (now - lastCheckpointMillis < request.checkpointInterval().toMillis()
        && uploaded - uploadedAtLastCheckpoint < request.checkpointBytes()
        && chunks - chunksAtLastCheckpoint < request.checkpointChunks()) {
      return;
    }
    lastCheckpointMillis = now;
    uploadedAtLastCheckpoint = uploaded;
    chunksAtLastCheckpoint = chunks;
    List<IndexSegment.IndexedPack> packs = w.drainUploaded();
    if (packs.isEmpty()) {
      return;
    }
    try {
      engine.writeIndex(packs);
      checkpoints++;
    } catch (IOException e) {
      fatal = e;
      LOG.log(System.Logger.Level.ERROR, "checkpoint failed, the backup stops: " + e.getMessage());
    }
  }

  private ProgressListener.Progress progress() {
    return progress(writer);
  }

  private ProgressListener.Progress progress(@Nullable ContentWriter w) {
    return new ProgressListener.Progress(files.get(), bytes.get(), w == null ? 0 : w.stats().newBytes(), errors.size());
  }

  /** The tree of a directory made only of the backed-up paths below it (and of their ancestors). */
  private CompletableFuture<ObjectId> treeOf(SourceTrie.Dir dir, Path path, ParentDirectory parent) throws IOException {
    Path source = dir.source();
    if (source != null) {
      // "/" itself was given: the snapshot root is its tree.
      Node node = metadata.stat(source, "");
      return visitDirectory(source, node, parent, null)
          .thenApply(n -> Objects.requireNonNull(n.subtree(), "root tree"));
    }
    List<CompletableFuture<@Nullable Node>> children = new ArrayList<>();
    int[] ordinals = new int[dir.children().size()];
    // In name order, as the parent's nodes are matched.
    ParentDirectory.Matcher matcher = parent.matcher();
    for (Map.Entry<String, SourceTrie.Dir> child : dir.children().entrySet()) {
      Path childPath = path.resolve(child.getKey());
      SourceTrie.Dir childDir = child.getValue();
      Node parentNode = matcher.find(child.getKey());
      ordinals[children.size()] = matcher.ordinal();
      if (childDir.source() != null) {
        children.add(visit(path, child.getKey(), parentNode, null, null));
      } else {
        Node node = metadata.stat(childPath, child.getKey());
        children.add(treeOf(childDir, childPath, loadParent(parentNode))
            .thenApply(tree -> sameOrNew(node.withSubtree(tree), parentNode)));
      }
    }
    return storeTreeWhenDone(children, parent, ordinals);
  }

  /**
   * {@link ParentDirectory#SAME} if {@code now} holds exactly what {@code before}, the parent snapshot's node
   * of the entry, holds, else {@code now}: the nodes of an unchanged directory all are, and its tree is then
   * the parent's tree (see {@link ParentDirectory#isMadeOf}).
   */
  private static @Nullable Node sameOrNew(@Nullable Node now, @Nullable Node before) {
    return now != null && now.equals(before) ? ParentDirectory.SAME : now;
  }

  private ParentDirectory loadParent(@Nullable Node parentNode) {
    return parentNode == null || parentNode.type() != NodeType.DIRECTORY ? ParentDirectory.NONE
        : loadParent(parentNode.subtree());
  }

  private ParentDirectory loadParent(@Nullable ObjectId tree) {
    TreeReader trees = parentTrees;
    if (tree == null || trees == null) {
      return ParentDirectory.NONE;
    }
    try {
      return ParentDirectory.of(tree, trees.readEncoded(tree));
    } catch (IOException | CorruptDataException e) {
      // The parent only saves work: without it the files are read again, which is always correct.
      LOG.log(System.Logger.Level.WARNING, "parent tree " + tree.shortHex() + " unreadable, reading its files again: "
          + e.getMessage());
      return ParentDirectory.NONE;
    }
  }

  /** Whether the parent's stored content can stand for the file without reading it. */
  private boolean unchanged(Node now, @Nullable Node before) {
    if (before == null || before.type() != NodeType.FILE || before.hasError()
        || before.size() != now.size() || !before.mtime().equals(now.mtime())) {
      return false;
    }
    boolean same = switch (request.changeDetection()) {
      case STRICT -> before.ctime().equals(now.ctime()) && before.inode() == now.inode();
      case SIZE_AND_MTIME -> true;
      case OFF -> false;
    };
    if (!same) {
      return false;
    }
    // Reuse only content the repository still holds (a prune may have marked or removed it).
    List<ObjectId> content = before.content();
    // By index: an iterator per unchanged file was 2% of what a no-change backup allocated.
    for (int i = 0; i < content.size(); i++) {
      if (!index.containsLive(content.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * @param directory the directory holding the entry
   * @param in that directory's listing, if it still is open
   * @param smallFiles where a small file read whole goes, if the caller submits it when done with the
   *     directory; null to hand each to a worker at once
   */
  private CompletableFuture<@Nullable Node> visit(Path directory, String name, @Nullable Node parentNode,
      @Nullable DirectoryStream<Path> in, @Nullable SmallFileBatch smallFiles) {
    CompletableFuture<@Nullable Node> stopped = stopped();
    if (stopped != null) {
      return stopped;
    }
    Node node;
    try {
      node = in == null ? metadata.stat(directory.resolve(name), name)
          : metadata.stat(in, directory, directory.getFileSystem().getPath(name), name);
    } catch (IOException e) {
      recordError(directory.resolve(name), e);
      return CompletableFuture.completedFuture(null);
    }
    if (node.type() == NodeType.FILE && unchanged(node, parentNode)) {
      Node before = Objects.requireNonNull(parentNode);
      files.incrementAndGet();
      unchangedFiles.incrementAndGet();
      bytes.addAndGet(before.size());
      Node now = node.withContentOf(before);
      return now == before ? SAME_RESULT : CompletableFuture.completedFuture(now);
    }
    // Made only here: an unchanged file, most entries of most backups, needs no path of its own.
    Path path = directory.resolve(name);
    switch (node.type()) {
      case DIRECTORY -> {
        if (smallFiles != null) {
          // Not held back while a subdirectory is walked on this thread.
          smallFiles.submit();
        }
        return walkDirectory(path, node, parentNode).thenApply(n -> n);
      }
      case FILE -> {
        ExecutorService pool = Objects.requireNonNull(workers);
        if (sequential) {
          session.beatIfDue();
          checkpointIfDue();
        }
        CompletableFuture<@Nullable Node> read = node.size() < READ_AHEAD_BYTES
            ? readSmallFile(path, node, pool, smallFiles)
            : CompletableFuture.supplyAsync(() -> backupFile(path, node), pool);
        // Read again, a file may still be what it was: with change detection off, or when the repository
        // no longer held the parent's chunks of it (they are stored again).
        return parentNode == null ? read : read.thenApply(n -> sameOrNew(n, parentNode));
      }
      case SYMLINK -> {
        try {
          Path target = Files.readSymbolicLink(path);
          String text = target.toString();
          if (decodedLossily(text, target, Path::of)) {
            recordError(path, undecodable("its target"));
            return CompletableFuture.completedFuture(null);
          }
          return CompletableFuture.completedFuture(sameOrNew(new Node(node.name(), node.type(), node.mode(),
              node.uid(), node.gid(), node.user(), node.group(), node.mtime(), node.ctime(), node.inode(),
              node.device(), node.links(), 0, List.of(), null, text, ""), parentNode));
        } catch (IOException e) {
          recordError(path, e);
          return CompletableFuture.completedFuture(node.withError(reason(e)));
        }
      }
      default -> {
        return CompletableFuture.completedFuture(sameOrNew(node, parentNode));
      }
    }
  }

  /** A failed result once the pass cannot go on (a storage failure, a failed walk task, or the pass ended). */
  private <T> @Nullable CompletableFuture<T> stopped() {
    Throwable failure = fatal;
    if (failure != null) {
      return CompletableFuture.failedFuture(new CompletionException(failure));
    }
    if (ended) {
      return CompletableFuture.failedFuture(new CancellationException("the backup pass has ended"));
    }
    return null;
  }

  /**
   * Walks a directory (its parent's version read first) as a task of the walk pool, or on this thread in
   * sequential mode and when {@link #maxWalkTasks} are queued or running: walking inline never waits for
   * another walk task, so a full pool cannot deadlock, and the tasks queued stay few. Which thread walks
   * a directory changes nothing in its tree: entries are stored in name order whatever finishes first.
   */
  private CompletableFuture<Node> walkDirectory(Path path, Node node, @Nullable Node parentNode) {
    ExecutorService walk = walkers;
    if (walk == null || !claimWalkTask()) {
      return visitDirectory(path, node, loadParent(parentNode), parentNode);
    }
    try {
      // thenCompose relays the tree's completion without recursing: a chain of thousands of directories
      // completes on whichever thread finishes the deepest one, with a constant stack.
      return CompletableFuture.supplyAsync(() -> {
        try {
          CompletableFuture<Node> stopped = stopped();
          return stopped != null ? stopped : visitDirectory(path, node, loadParent(parentNode), parentNode);
        } catch (RuntimeException | Error e) {
          // Not an unreadable entry (those are recorded) but a bug or a rejected task: the pass fails with
          // it (supplyAsync completes the future with it), and the other walk tasks stop at their next entry.
          if (fatal == null) {
            fatal = e;
          }
          throw e;
        } finally {
          walkTasks.decrementAndGet();
        }
      }, walk).thenCompose(tree -> tree);
    } catch (RejectedExecutionException e) {
      walkTasks.decrementAndGet();
      throw e;
    }
  }

  private boolean claimWalkTask() {
    while (true) {
      int n = walkTasks.get();
      if (n >= maxWalkTasks) {
        return false;
      }
      if (walkTasks.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /**
   * @param parent the parent snapshot's version of the directory
   * @param before the parent snapshot's node of the directory, null if it has none
   */
  private CompletableFuture<Node> visitDirectory(Path path, Node node, ParentDirectory parent, @Nullable Node before) {
    // Names only: the entries wait for their turn while others are visited; a path is made for the stat.
    List<String> names = new ArrayList<>();
    Function<String, Path> inDirectory = path::resolve;
    // Open until its entries are visited: they are looked up relative to it (see SourceMetadata.stat).
    DirectoryStream<Path> stream = null;
    try {
      stream = opener.list(path);
      for (Path entry : stream) {
        if (!isExcluded(entry)) {
          // An entry of a directory always has a name.
          String name = Objects.requireNonNull(entry.getFileName(), "directory entry").toString();
          if (decodedLossily(name, entry, inDirectory)) {
            recordError(entry, undecodable("its name"));
          } else {
            names.add(name);
          }
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      // Failing part way counts as failing: a directory is stored whole or with its error, never cut.
      IOException cause = e instanceof DirectoryIteratorException d ? d.getCause() : (IOException) e;
      closeListing(path, stream, cause);
      recordError(path, cause);
      directories.incrementAndGet();
      return CompletableFuture.completedFuture(node.withError(reason(cause)));
    }
    List<CompletableFuture<@Nullable Node>> children = new ArrayList<>(names.size());
    int[] ordinals = new int[names.size()];
    try {
      // In the tree's order, which the tree then only checks (comparing whole paths cost a fifth of a
      // no-change backup's processor time), and in which the parent's nodes are met one after the other.
      names.sort(Tree.NAME_ORDER);
      ParentDirectory.Matcher matcher = parent.matcher();
      SmallFileBatch smallFiles = new SmallFileBatch(Objects.requireNonNull(workers), this::storeSmallFile);
      for (String name : names) {
        Node parentNode = matcher.find(name);
        ordinals[children.size()] = matcher.ordinal();
        children.add(visit(path, name, parentNode, stream, smallFiles));
      }
      smallFiles.submit();
    } finally {
      closeListing(path, stream, null);
    }
    return storeTreeWhenDone(children, parent, ordinals).thenApply(id -> {
      directories.incrementAndGet();
      return Objects.requireNonNull(sameOrNew(node.withSubtree(id), before));
    });
  }

  /**
   * Closes a directory's listing. Its entries were all read, so a failure to close it loses nothing of the
   * backup: it is reported as an error of the directory and, if the listing had failed, added to that failure.
   */
  private void closeListing(Path path, @Nullable DirectoryStream<Path> stream, @Nullable IOException failed) {
    if (stream == null) {
      return;
    }
    try {
      stream.close();
    } catch (IOException e) {
      if (failed != null) {
        failed.addSuppressed(e);
      } else {
        recordError(path, e);
      }
    }
  }

  /**
   * Stores the tree of a directory once its entries are done; a directory made of its parent's nodes has
   * its parent's tree, which is neither encoded nor hashed again, unless the repository lost it meanwhile.
   */
  private CompletableFuture<ObjectId> storeTreeWhenDone(List<CompletableFuture<@Nullable Node>> children,
      ParentDirectory parent, int[] ordinals) {
    return allOf(children).thenApply(v -> {
      List<Node> nodes = new ArrayList<>(children.size());
      for (int i = 0; i < children.size(); i++) {
        Node n = children.get(i).join();
        if (n != null) {
          // Moved along with the nodes over entries left out: at most to where it was.
          ordinals[nodes.size()] = ordinals[i];
          nodes.add(n);
        }
      }
      ObjectId parentTree = parent.tree();
      if (parentTree != null && parent.isMadeOf(nodes) && index.containsLive(parentTree)) {
        return parentTree;
      }
      ByteWriter encoded = treeBuffers.get();
      encoded.reset();
      new Tree(parent.resolve(nodes, ordinals)).encodeTo(encoded);
      try {
        return Objects.requireNonNull(writer).write(ChunkType.TREE, encoded.array(), 0, encoded.size());
      } catch (IOException e) {
        throw fail(e);
      } finally {
        if (encoded.array().length > MAX_KEPT_TREE_BUFFER) {
          // A huge directory's buffer is not kept on every thread that ever encodes one.
          treeBuffers.remove();
        }
      }
    });
  }

  /**
   * Completes when all {@code futures} have. Those of an unchanged directory's entries all have by the time
   * it is listed; for them {@code CompletableFuture.allOf} made an array and a tree of relays per entry.
   */
  private static CompletableFuture<@Nullable Void> allOf(List<? extends CompletableFuture<?>> futures) {
    for (CompletableFuture<?> future : futures) {
      if (!future.isDone() || future.isCompletedExceptionally()) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
      }
    }
    return DONE;
  }

  private Node backupFile(Path path, Node node) {
    if (fatal != null) {
      throw new CompletionException(fatal);
    }
    ContentWriter contentWriter = Objects.requireNonNull(writer);
    List<ObjectId> chunks = new ArrayList<>();
    List<CompletableFuture<Void>> storing = new ArrayList<>();
    boolean handOff = node.size() >= HAND_OFF_MIN_BYTES;
    long total;
    busyWorkers.incrementAndGet();
    try (FileChannel channel = opener.open(path)) {
      total = chunkStreams.get().split(channel, (buffer, offset, length) -> {
        chunks.add(handOff ? storeDataSoon(contentWriter, buffer, offset, length, storing)
            : storeData(contentWriter, buffer, offset, length));
        bytes.addAndGet(length);
      });
    } catch (IOException e) {
      // The chunks already handed off are stored anyway, unreferenced until a later backup uses them.
      awaitStored(storing);
      recordError(path, e);
      return node.withError(reason(e));
    } finally {
      busyWorkers.decrementAndGet();
    }
    awaitStored(storing);
    return fileRead(path, node, chunks, total, changedWhileRead(path, node, total));
  }

  /**
   * Stores a chunk of a file being read: hands a copy to a storer if fewer workers are busy than there are
   * worker threads and a permit is free, else stores it on this thread. While every worker has a file the
   * cores are busy, and handing off only added copies and threads (the mixed benchmark tree's full
   * backup: 6.8-7.1 s and 131-148 MB against 6.4-7.0 s and 104-119 MB). Its id is computed here, so the
   * file's chunk list keeps its order whoever stores them.
   */
  private ObjectId storeDataSoon(ContentWriter contentWriter, byte[] buffer, int start, int length,
      List<CompletableFuture<Void>> storing) {
    ExecutorService pool = storers;
    Semaphore permits = storerPermits;
    if (pool == null || permits == null || busyWorkers.get() >= engine.options().threads() || !permits.tryAcquire()) {
      return storeData(contentWriter, buffer, start, length);
    }
    ObjectId id = contentWriter.hasher().hash(buffer, start, length);
    byte[] copy = Arrays.copyOfRange(buffer, start, start + length);
    try {
      storing.add(CompletableFuture.runAsync(() -> {
        try {
          contentWriter.write(id, ChunkType.DATA, copy, 0, length);
        } catch (IOException e) {
          throw fail(e);
        } finally {
          permits.release();
        }
      }, pool));
    } catch (RejectedExecutionException e) {
      permits.release();
      throw e;
    }
    return id;
  }

  /** Waits for a file's handed-off chunks; a storage failure among them fails the pass, as inline. */
  private static void awaitStored(List<CompletableFuture<Void>> storing) {
    for (CompletableFuture<Void> stored : storing) {
      stored.join();
    }
  }

  /**
   * Reads a file below {@link #READ_AHEAD_BYTES} whole on this (walk) thread, then has a worker chunk and
   * store it. From a cold cache, reading small files is waiting on the disk one read at a time per thread:
   * the walk's many threads keep many reads outstanding while the workers, one per core, compute. A file
   * that grew past its size since it was stat'ed is read by a worker as any other.
   */
  private CompletableFuture<@Nullable Node> readSmallFile(Path path, Node node, ExecutorService pool,
      @Nullable SmallFileBatch batch) {
    byte[] content = new byte[(int) node.size() + 1];
    int length;
    try (FileChannel channel = opener.open(path)) {
      ByteBuffer view = ByteBuffer.wrap(content);
      while (view.hasRemaining() && channel.read(view) >= 0) {
        // Reads until the buffer is full or the file ends.
      }
      length = view.position();
    } catch (IOException e) {
      recordError(path, e);
      return CompletableFuture.completedFuture(node.withError(reason(e)));
    }
    if (length > node.size()) {
      return CompletableFuture.supplyAsync(() -> backupFile(path, node), pool);
    }
    @Nullable String changed = changedWhileRead(path, node, length);
    if (batch != null) {
      return batch.add(path, node, content, length, changed);
    }
    return CompletableFuture.supplyAsync(() -> storeSmallFile(path, node, content, length, changed), pool);
  }

  private Node storeSmallFile(Path path, Node node, byte[] content, int length, @Nullable String changed) {
    if (fatal != null) {
      throw new CompletionException(fatal);
    }
    ContentWriter contentWriter = Objects.requireNonNull(writer);
    List<ObjectId> chunks = new ArrayList<>();
    busyWorkers.incrementAndGet();
    try {
      chunkStreams.get().split(content, 0, length,
          (buffer, offset, n) -> chunks.add(storeData(contentWriter, buffer, offset, n)));
    } catch (IOException e) {
      // storeData reports storage failures unchecked, through fail(); nothing else here does I/O.
      throw fail(e);
    } finally {
      busyWorkers.decrementAndGet();
    }
    bytes.addAndGet(length);
    return fileRead(path, node, chunks, length, changed);
  }

  /** Whether the file changed or vanished since {@code node} was stat'ed, now that {@code total} bytes were read. */
  private @Nullable String changedWhileRead(Path path, Node node, long total) {
    try {
      Node after = metadata.stat(path, node.name());
      boolean same = after.size() == total && after.mtime().equals(node.mtime());
      return same ? null : "changed while it was read; the snapshot holds what was read";
    } catch (IOException e) {
      return "vanished while it was read; the snapshot holds what was read";
    }
  }

  /** The node of a file that was read, with a warning (and an error record) if it changed meanwhile. */
  private Node fileRead(Path path, Node node, List<ObjectId> chunks, long total, @Nullable String changed) {
    files.incrementAndGet();
    Node result = node.withContent(chunks, total);
    if (changed != null) {
      recordError(path, changed);
      return result.withWarning(changed);
    }
    return result;
  }

  private ObjectId storeData(ContentWriter contentWriter, byte[] buffer, int start, int length) {
    try {
      return contentWriter.write(ChunkType.DATA, buffer, start, length);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  /**
   * Whether the JVM decoded {@code original} (a name, a symlink's target) into {@code text} lossily: its
   * bytes are not valid in the file name encoding ({@code sun.jnu.encoding}), so the text, with U+FFFD for
   * each bad sequence, encodes back ({@code encode}) to other bytes, and two such names can decode alike.
   * A tree stores names and targets as UTF-8 text, so such an entry is recorded as an error instead of
   * being stored under a wrong name (or pointing elsewhere) or failing its whole directory.
   */
  private static boolean decodedLossily(String text, Path original, Function<String, Path> encode) {
    if (text.indexOf('\uFFFD') < 0) {
      return false;
    }
    try {
      return !encode.apply(text).equals(original);
    } catch (InvalidPathException e) {
      return true;
    }
  }

  /** Why an entry whose {@code what} ("its name", "its target") {@link #decodedLossily decoded lossily} is left out. */
  private static String undecodable(String what) {
    String encoding = System.getProperty("sun.jnu.encoding", "unknown");
    return "not backed up: " + what + " is not valid in this JVM's file name encoding (" + encoding + ")"
        + (encoding.equalsIgnoreCase("UTF-8") ? ", so it cannot be stored as UTF-8 text: rename it"
            : ": run bakare with a UTF-8 locale (e.g. LANG=C.UTF-8) to back up non-ASCII names");
  }

  private boolean isExcluded(Path path) {
    if (nameExcludes.isEmpty() && pathExcludes.isEmpty()) {
      return false;
    }
    Path name = path.getFileName();
    if (name != null) {
      for (PathMatcher m : nameExcludes) {
        if (m.matches(name)) {
          return true;
        }
      }
    }
    for (PathMatcher m : pathExcludes) {
      if (m.matches(path)) {
        return true;
      }
    }
    return false;
  }

  private void recordError(Path path, IOException e) {
    recordError(path, reason(e));
  }

  private void recordError(Path path, String reason) {
    FileError error = new FileError(path.toString(), reason);
    errors.add(error);
    request.listener().onError(error);
  }

  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "vanished during backup";
    }
    if (e instanceof NotDirectoryException) {
      return "replaced by a non-directory during backup";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** A storage failure: the run cannot go on. Remembered so that other workers stop early. */
  private CompletionException fail(IOException e) {
    fatal = e;
    return new CompletionException(e);
  }

  private static IOException unwrap(@Nullable Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException || cause instanceof UncheckedIOException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof RuntimeException re) {
      throw re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new RepositoryException("backup failed: " + cause, cause);
  }

  private static void blockUntilQueued(Runnable task, ThreadPoolExecutor executor) {
    if (executor.isShutdown()) {
      throw new java.util.concurrent.RejectedExecutionException("backup workers are shut down");
    }
    try {
      executor.getQueue().put(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.util.concurrent.RejectedExecutionException("interrupted while queueing a file", e);
    }
  }

  /** The backed-up paths arranged as a tree of their components. */
  record SourceTrie(Dir root, List<Path> paths) {
    /** A directory on the way to backed-up paths, or ({@code source != null}) a backed-up path itself. */
    record Dir(TreeMap<String, Dir> children, @Nullable Path source) {}

    static SourceTrie of(List<Path> requested) throws IOException {
      List<Path> paths = new ArrayList<>();
      for (Path p : requested) {
        Path absolute = p.toAbsolutePath().normalize();
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
          throw new RepositoryException("cannot back up " + absolute + ": no such file or directory");
        }
        if (!paths.contains(absolute)) {
          paths.add(absolute);
        }
      }
      for (Path a : paths) {
        for (Path b : paths) {
          if (!a.equals(b) && b.startsWith(a)) {
            throw new RepositoryException("cannot back up " + b + " together with " + a + ", which contains it: give only " + a);
          }
        }
      }
      Dir root = new Dir(new TreeMap<>(Tree.NAME_ORDER), paths.contains(Path.of("/")) ? Path.of("/") : null);
      for (Path path : paths) {
        if (path.getNameCount() == 0) {
          continue;
        }
        Dir current = root;
        for (int i = 0; i < path.getNameCount(); i++) {
          String component = path.getName(i).toString();
          boolean last = i == path.getNameCount() - 1;
          Dir next = current.children().get(component);
          if (next == null) {
            next = new Dir(new TreeMap<>(Tree.NAME_ORDER), last ? path : null);
            current.children().put(component, next);
          }
          current = next;
        }
      }
      return new SourceTrie(root, List.copyOf(paths));
    }
  }
}
