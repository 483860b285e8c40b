package dev.bakare;

import dev.bakare.internal.backup.BackupJob;
import dev.bakare.internal.backup.FileOpener;
import dev.bakare.internal.check.CheckJob;
import dev.bakare.internal.find.FindJob;
import dev.bakare.internal.prune.PruneJob;
import dev.bakare.internal.repair.IndexRepairJob;
import dev.bakare.internal.repair.SnapshotRepairJob;
import dev.bakare.internal.prune.Retention;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.internal.repo.KeyFile;
import dev.bakare.internal.repo.KeyFiles;
import dev.bakare.internal.restore.RestoreJob;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.DeepWalk;
import dev.bakare.internal.tree.Tree;
import dev.bakare.internal.tree.TreeReader;
import dev.bakare.store.spi.StorageException;
import java.io.IOException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A bakare repository: deduplicated, compressed, encrypted backups in a directory, a bucket, or any store
 * a {@link dev.bakare.store.spi.StorageProvider} serves.
 *
 * <pre>{@code
 * try (Repository repo = Repository.open(RepositoryOptions.builder().location("/backups/repo").build())) {
 *   Snapshot s = repo.backup(BackupRequest.of(Path.of("/home/me/docs")));
 *   repo.restore(s.id(), Path.of("/tmp/restored"));
 * }
 * }</pre>
 *
 * <p>Opened with the full key, everything works; with a write key (see {@link #exportWriteKey}) only
 * {@link #backup} and {@link #snapshots} do, and reading file names or content ({@link #list}, {@link
 * #find}, {@link #restore}) fails with a {@link KeyException}. Instances are thread-safe; several processes may use one repository at once.
 */
public final class Repository implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Repository.class.getName());

  private final Engine engine;

  private Repository(Engine engine) {
    this.engine = engine;
  }

  /**
   * Creates a repository at the options' location, which must be empty or absent, and writes its full
   * key file (see {@link RepositoryOptions#keyFile()}; {@link #info()} tells where). On failure nothing
   * stays behind but, for a file system location, its empty directory.
   */
  public static Repository init(RepositoryOptions options) throws IOException {
    return new Repository(Engine.init(options, EngineHooks.DEFAULT));
  }

  /**
   * Opens an existing repository.
   *
   * @throws RepositoryNotFoundException if the location holds no repository
   * @throws KeyException if the key file is missing, belongs elsewhere, or its passphrase is wrong
   */
  public static Repository open(RepositoryOptions options) throws IOException {
    return new Repository(Engine.open(options, EngineHooks.DEFAULT));
  }

  /**
   * Backs up the request's paths and commits a snapshot. Files that cannot be read are recorded in the
   * snapshot ({@link Snapshot#errors()}, {@link Snapshot#isPartial()}) and do not stop the others; a
   * storage failure throws and commits nothing.
   */
  public Snapshot backup(BackupRequest request) throws IOException {
    return backup(request, FileOpener.DEFAULT);
  }

  /** Opens with test seams (a clock, sequential mode); for tests in this package. */
  static Repository open(RepositoryOptions options, EngineHooks hooks) throws IOException {
    return new Repository(Engine.open(options, hooks));
  }

  static Repository init(RepositoryOptions options, EngineHooks hooks) throws IOException {
    return new Repository(Engine.init(options, hooks));
  }

  /** The engine, for tests in this package that craft objects the public API never writes. */
  Engine engine() {
    return engine;
  }

  Snapshot backup(BackupRequest request, FileOpener opener) throws IOException {
    BackupJob.Result result = new BackupJob(engine, request, opener).run();
    return toSnapshot(result.id(), result.manifest());
  }

  /** All readable snapshots, oldest first. Damaged snapshots are skipped and logged; {@code check} reports them. */
  public List<Snapshot> snapshots() throws IOException {
    List<Snapshot> snapshots = new ArrayList<>();
    for (Engine.SnapshotRead read : engine.readSnapshots(engine.snapshotIds())) {
      SnapshotManifest manifest = read.manifest();
      if (manifest != null) {
        snapshots.add(toSnapshot(read.id(), manifest));
      } else if (read.failure() instanceof IntegrityException e) {
        LOG.log(System.Logger.Level.WARNING, "skipping damaged snapshot: " + e.getMessage());
      } else {
        throw java.util.Objects.requireNonNull(read.failure());
      }
    }
    snapshots.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id));
    return snapshots;
  }

  /**
   * Finds a snapshot by {@code latest}, its full id, or a unique prefix of its id (at least 4 hex digits).
   *
   * @throws RepositoryException if none or several match
   */
  public Snapshot snapshot(String reference) throws IOException {
    String ref = reference.strip().toLowerCase(Locale.ROOT);
    if (ref.equals("latest")) {
      List<Snapshot> all = snapshots();
      if (all.isEmpty()) {
        throw new RepositoryException("the repository has no snapshots yet: run a backup first");
      }
      return all.get(all.size() - 1);
    }
    if (!ref.matches("[0-9a-f]{4,64}")) {
      throw new RepositoryException("'" + reference + "' is not a snapshot id: give 'latest' or at least 4 hex digits of an id");
    }
    List<ObjectId> matches = new ArrayList<>();
    for (ObjectId id : engine.snapshotIds()) {
      if (id.hex().startsWith(ref)) {
        matches.add(id);
      }
    }
    if (matches.isEmpty()) {
      throw new RepositoryException("no snapshot matches '" + reference + "': list them with 'snapshots'");
    }
    if (matches.size() > 1) {
      throw new RepositoryException("'" + reference + "' matches " + matches.size() + " snapshots: give more digits");
    }
    return toSnapshot(matches.get(0), engine.readSnapshot(matches.get(0)));
  }

  /** Restores a snapshot as the request says. Entries that fail are listed in the result; the rest are restored. */
  public RestoreResult restore(RestoreRequest request) throws IOException {
    return new RestoreJob(engine, request).run();
  }

  /** Restores a whole snapshot into {@code target}, refusing to overwrite existing files. */
  public RestoreResult restore(SnapshotId snapshot, Path target) throws IOException {
    return restore(RestoreRequest.of(snapshot, target));
  }

  /**
   * Lists the entries of a snapshot at and below {@code path} (an absolute path inside the snapshot; {@code
   * /} for everything), depth first in name order.
   *
   * @throws KeyException with a write key, which cannot read file names
   */
  public void list(SnapshotId snapshot, String path, Consumer<? super FileEntry> consumer) throws IOException {
    engine.requireFullKey("listing files");
    SnapshotManifest.Detail detail = detailOf(snapshot);
    TreeReader trees = TreeReader.uncached(engine.reader());
    String prefix = path.equals("/") || path.isEmpty() ? "" : (path.startsWith("/") ? path : "/" + path);
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    String start = prefix;
    // The listing recurses once per directory level.
    DeepWalk.run("bakare-list", () -> {
      listTree(trees, detail.rootTree(), "", start, consumer, 1);
      return null;
    });
  }

  private void listTree(TreeReader trees, ObjectId treeId, String base, String prefix,
      Consumer<? super FileEntry> consumer, int depth) throws IOException {
    String tooDeep = Tree.tooDeep(depth);
    if (tooDeep != null) {
      throw new IntegrityException("tree " + treeId.shortHex(), "listing stopped at " + base + ": " + tooDeep, null);
    }
    Tree tree = trees.read(treeId);
    for (Node node : tree.nodes()) {
      String path = base + "/" + node.name();
      boolean inside = prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
      boolean onTheWay = !inside && prefix.startsWith(path + "/");
      if (inside) {
        consumer.accept(toEntry(path, node));
      }
      ObjectId subtree = node.subtree();
      if ((inside || onTheWay) && subtree != null) {
        listTree(trees, subtree, path, prefix, consumer, depth + 1);
      }
    }
  }

  /**
   * Finds paths whose names match the query's pattern in the snapshots it selects, each with its version
   * in every one of them, and ranks them.
   *
   * <p>The search reads a local <i>name index</i> (see {@link RepositoryOptions#cacheDirectory()}), adding
   * to it first the snapshots it lacks: only trees it does not hold yet are read, so after the first search
   * of a repository the next ones read nothing but new snapshots' changed directories.
   *
   * <p>{@code onMatch} receives each matching path as soon as it is complete, with all its versions in
   * the selected snapshots. The search goes through the index name by name, so paths arrive grouped by
   * file name, names in Unicode order and a name's paths in path order; unranked, each once, all of them
   * however many match. The ranked best {@link FindQuery#limit()} come in the result, at the end. Calls
   * come from the calling thread.
   *
   * @throws KeyException with a write key, which cannot read file names
   * @throws RepositoryException if a snapshot the query names does not exist
   */
  public FindResult find(FindQuery query, Consumer<? super FoundPath> onMatch) throws IOException {
    return new FindJob(engine, query, onMatch).run();
  }

  /**
   * Finds and ranks paths as {@link #find(FindQuery, Consumer)} does, without handing each match over as it
   * is found (which saves building the versions of matches that do not make the ranking).
   */
  public FindResult find(FindQuery query) throws IOException {
    return new FindJob(engine, query, null).run();
  }

  private SnapshotManifest.Detail detailOf(SnapshotId snapshot) throws IOException {
    SnapshotManifest.Detail detail = engine.readSnapshot(ObjectId.fromHex(snapshot.hex())).detail();
    if (detail == null) {
      throw new IllegalStateException("a full key always reads the snapshot detail");
    }
    return detail;
  }

  /**
   * Verifies the repository and reports every damaged or missing object with what it affects. With a
   * write key, checks what a write key can read (index, snapshot summaries, pack hashes).
   */
  public CheckResult check(CheckRequest request) throws IOException {
    return new CheckJob(engine, request).run();
  }

  /**
   * Forgets the snapshots the policy does not keep, among those its filters select (all if none), or with
   * {@code dryRun} only reports what it would forget. Forgetting deletes the snapshots; {@link #prune}
   * reclaims the space.
   *
   * @throws IllegalArgumentException if the policy keeps nothing (it would forget every selected snapshot)
   * @throws KeyException with a write key
   */
  public ForgetResult forget(ForgetPolicy policy, boolean dryRun) throws IOException {
    if (!policy.keepsSomething()) {
      throw new IllegalArgumentException("the forget policy keeps nothing: give at least one keep rule"
          + " (or forget snapshots by id)");
    }
    engine.requireFullKey("forgetting snapshots");
    Retention.Decision decision = Retention.apply(policy, snapshots(), java.time.ZoneId.systemDefault());
    if (!dryRun) {
      for (Snapshot s : decision.forget()) {
        engine.forgetSnapshot(ObjectId.fromHex(s.id().hex()));
      }
    }
    return new ForgetResult(decision.keep(), decision.forget(), dryRun);
  }

  /** Forgets the given snapshots. */
  public ForgetResult forget(List<SnapshotId> ids, boolean dryRun) throws IOException {
    engine.requireFullKey("forgetting snapshots");
    List<Snapshot> removed = new ArrayList<>();
    for (SnapshotId id : ids) {
      removed.add(snapshot(id.hex()));
    }
    if (!dryRun) {
      for (Snapshot s : removed) {
        engine.forgetSnapshot(ObjectId.fromHex(s.id().hex()));
      }
    }
    return new ForgetResult(List.of(), removed, dryRun);
  }

  /**
   * Reclaims space: deletes packs that earlier prunes marked and that are still unreferenced once every
   * backup that might use them has finished or was judged abandoned, then marks what is unreferenced now
   * (repacking partly used packs). Never blocks or breaks a running backup. Needs the full key.
   */
  public PruneResult prune(PruneRequest request) throws IOException {
    return new PruneJob(engine, request).run();
  }

  /**
   * Writes the index again from the packs' own headers and removes the old segments (damaged ones
   * included). Needs the full key; takes the maintenance lease for 30 minutes (renewed as it goes), so it
   * does not run beside a prune.
   */
  public IndexRepairResult repairIndex() throws IOException {
    return repairIndex(PruneRequest.DEFAULT_LEASE);
  }

  /**
   * {@link #repairIndex()} with a lease of {@code lease}: after a prune or repair crashed, a short lease
   * takes its stale one over at once instead of waiting for it to expire.
   *
   * @throws IllegalArgumentException if {@code lease} is not positive
   */
  public IndexRepairResult repairIndex(Duration lease) throws IOException {
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive, got " + lease);
    }
    return new IndexRepairJob(engine, lease).run();
  }

  /**
   * Salvages every snapshot whose trees are damaged or whose files reference missing chunks (with {@code
   * readData}, also chunks that fail verification) into a new snapshot tagged {@code repaired} that keeps
   * everything still readable and lists what was lost. With {@code forgetOriginals}, the damaged snapshots
   * are forgotten. Needs the full key.
   */
  public SnapshotRepairResult repairSnapshots(boolean forgetOriginals, boolean readData) throws IOException {
    return new SnapshotRepairJob(engine, forgetOriginals, readData).run();
  }

  /**
   * Writes a write key for this repository to {@code file} (mode 0600; never overwriting): hosts holding
   * it can back up, deduplicating against everything stored, but cannot read, list or delete data.
   *
   * @param passphrase protects the file with Argon2id, or null for none
   */
  public Path exportWriteKey(Path file, char @Nullable [] passphrase) throws IOException {
    byte[] content = KeyFile.create(engine.keys().toWriteKey(), engine.config().id(), passphrase).encode();
    KeyFiles.write(file, content);
    return file;
  }

  /** The repository's identity and settings, and the key in use. */
  public RepositoryInfo info() {
    var config = engine.config();
    return new RepositoryInfo(config.id(), engine.store().describe(), config.version(), config.created(),
        config.chunker(), config.chunkerParameters(), config.cipher(), config.packSize(), engine.keyFile(),
        engine.keys().isFull(), new String(engine.configBytes(), StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws StorageException {
    engine.close();
  }

  private static Snapshot toSnapshot(ObjectId id, SnapshotManifest manifest) {
    SnapshotManifest.Summary s = manifest.summary();
    SnapshotManifest.Detail d = manifest.detail();
    ObjectId parent = s.parent();
    return new Snapshot(new SnapshotId(id.hex()), s.time(), s.host(), s.username(), s.tags(),
        d == null ? List.of() : d.paths(), parent == null ? null : new SnapshotId(parent.hex()), s.stats(),
        d == null ? List.of() : d.errors());
  }

  private static FileEntry toEntry(String path, Node node) {
    FileType type = switch (node.type()) {
      case FILE -> FileType.FILE;
      case DIRECTORY -> FileType.DIRECTORY;
      case SYMLINK -> FileType.SYMLINK;
      default -> FileType.SPECIAL;
    };
    String user = node.user().isEmpty() ? Long.toString(node.uid()) : node.user();
    String group = node.group().isEmpty() ? Long.toString(node.gid()) : node.group();
    return new FileEntry(path, type, node.mode(), node.type() == NodeType.FILE ? node.size() : 0, node.mtime(),
        user, group, node.linkTarget(), node.error());
  }
}
