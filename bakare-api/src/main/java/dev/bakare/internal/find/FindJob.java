package dev.bakare.internal.find;

import dev.bakare.FindQuery;
import dev.bakare.FindResult;
import dev.bakare.FoundPath;
import dev.bakare.IntegrityException;
import dev.bakare.RepositoryException;
import dev.bakare.RepositoryOptions;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.snapshot.SnapshotManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One search: brings the local name index up to date with the snapshots the query selects (reading only
 * snapshots and trees it does not hold yet), compacts it when worthwhile, then runs {@link NameSearch}.
 * The cache directory is locked while its files are read and written; the search itself runs on the
 * loaded index, whose files stay open until it ends. A damaged cache file is deleted and the index
 * rebuilt, also when the damage only shows during the search (then the matches already handed over are
 * not handed over again).
 */
public final class FindJob {
  private static final System.Logger LOG = System.getLogger(FindJob.class.getName());
  /** How often, at most, progress is reported while the index is built. */
  private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

  private final Engine engine;
  private final FindQuery query;
  private final @Nullable Consumer<? super FoundPath> consumer;
  private final List<String> warnings = new ArrayList<>();
  private boolean cacheWritable = true;

  /**
   * @param consumer receives every match as soon as it is complete, or null when only the ranking is wanted
   */
  public FindJob(Engine engine, FindQuery query, @Nullable Consumer<? super FoundPath> consumer) {
    this.engine = engine;
    this.query = query;
    this.consumer = consumer;
  }

  /** A snapshot the search may use: from the index, or read from the repository (then with its root tree). */
  private record Candidate(ObjectId id, Instant time, String host, @Nullable ObjectId root) {}

  /** The index, up to date for the selected snapshots. */
  private record Prepared(NameIndex index, List<NameFile.IndexedSnapshot> searched, int indexed) {}

  public FindResult run() throws IOException {
    engine.requireFullKey("finding files by name (names are sealed for the full key)");
    PathMatcher matcher = Patterns.matcher(query.mode(), query.pattern());
    String resumeAfter = null;
    boolean discard = false;
    while (true) {
      Prepared prepared;
      try {
        prepared = prepare(discard);
      } catch (CorruptDataException e) {
        if (discard) {
          throw new IOException("the name index built just now cannot be read (" + e.getMessage()
              + "): report this as a bug", e);
        }
        discard = true;
        continue;
      }
      try (NameIndex index = prepared.index()) {
        NameSearch search = new NameSearch(index, prepared.searched(), matcher, query, consumer, resumeAfter);
        try {
          List<FoundPath> best = search.run();
          return new FindResult(best, search.matches(), prepared.searched().size(), prepared.indexed(), warnings);
        } catch (CorruptDataException e) {
          if (discard) {
            throw new IOException("the name index built just now cannot be read (" + e.getMessage()
                + "): report this as a bug", e);
          }
          LOG.log(System.Logger.Level.WARNING, "name index damaged during the search: " + e.getMessage());
          discard = true;
          resumeAfter = search.lastDelivered();
        }
      }
    }
  }

  /**
   * Loads the index (or, after damage, starts it afresh) and adds the selected snapshots it lacks.
   *
   * @throws CorruptDataException if a part of a cache file read only now (tree ids, postings) is damaged
   */
  private Prepared prepare(boolean discard) throws IOException, CorruptDataException {
    List<ObjectId> stored = engine.snapshotIds();
    Set<ObjectId> storedSet = new HashSet<>(stored);
    NameCache cache = openCache();
    NameIndex index = null;
    boolean ready = false;
    try {
      index = load(cache, discard);
      List<Candidate> all = new ArrayList<>();
      List<ObjectId> unknown = new ArrayList<>();
      for (ObjectId id : stored) {
        NameFile.IndexedSnapshot known = index.snapshot(id);
        if (known != null) {
          all.add(new Candidate(id, known.time(), known.host(), null));
        } else {
          unknown.add(id);
        }
      }
      all.addAll(readSnapshots(unknown));
      List<Candidate> selected = select(all, storedSet);
      List<Candidate> toIndex = selected.stream().filter(c -> c.root() != null).toList();
      int indexed = toIndex.isEmpty() ? 0 : build(index, toIndex, cache);
      if (cache != null && cacheWritable && Compaction.worthwhile(index, storedSet)) {
        NameIndex compacted = Compaction.run(index, storedSet, sink(cache),
            NameFileWriter.versionsPerFile(engine.memoryBudget()));
        index.close();
        index = compacted;
        if (cacheWritable) {
          cache.deleteGenerationsBelow(index.generation());
        }
      }
      List<NameFile.IndexedSnapshot> searched = new ArrayList<>();
      for (Candidate c : selected) {
        NameFile.IndexedSnapshot s = index.snapshot(c.id());
        if (s != null) {
          searched.add(s);
        }
      }
      ready = true;
      return new Prepared(index, searched, indexed);
    } finally {
      if (!ready && index != null) {
        index.close();
      }
      if (cache != null) {
        cache.close();
      }
    }
  }

  private @Nullable NameCache openCache() {
    Path configured = engine.options().cacheDirectory();
    Path root = configured != null ? configured : RepositoryOptions.defaultCacheDirectory();
    byte[] masterKey = engine.keys().masterPrivateKey();
    byte[] key = NameCache.key(masterKey, engine.config().id());
    Crypto.wipe(masterKey);
    Aead aead = engine.sealing().algorithm().withKey(key);
    Crypto.wipe(key);
    try {
      return NameCache.open(root, engine.config().id(), aead);
    } catch (IOException e) {
      cacheWritable = false;
      warn("cannot use the name index cache in " + root + " (" + e.getMessage() + "): searching without it, so"
          + " every search reads all trees; make the directory writable or choose another cache directory");
      return null;
    }
  }

  private NameIndex load(@Nullable NameCache cache, boolean discard) throws IOException {
    if (cache == null) {
      return new NameIndex(0);
    }
    try {
      return discard ? cache.discard("a posting block failed to open", warnings) : cache.load(warnings);
    } catch (IOException e) {
      cacheWritable = false;
      warn("cannot read the name index cache in " + cache.directory() + " (" + e.getMessage()
          + "): searching without it; make the directory readable or choose another cache directory");
      return new NameIndex(0);
    }
  }

  private NameFileWriter.Sink sink(@Nullable NameCache cache) {
    return (file, encoded) -> {
      if (cache == null || !cacheWritable) {
        return;
      }
      try {
        cache.write(encoded);
      } catch (IOException e) {
        // Later files would leave a gap in the chain, which the next search would take for damage.
        cacheWritable = false;
        warn("cannot write the name index cache in " + cache.directory() + " (" + e.getMessage()
            + "): this search goes on without saving it, so the next one reads the trees again");
      }
    };
  }

  private void warn(String warning) {
    LOG.log(System.Logger.Level.WARNING, warning);
    warnings.add(warning);
  }

  /**
   * Reads the snapshots the index lacks (their time, host and root tree), a few at a time. Damaged ones are
   * skipped with a warning; vanished ones (forgotten meanwhile) silently.
   */
  private List<Candidate> readSnapshots(List<ObjectId> ids) throws IOException {
    List<Candidate> read = new ArrayList<>();
    for (Engine.SnapshotRead snapshot : engine.readSnapshots(ids)) {
      SnapshotManifest manifest = snapshot.manifest();
      IOException failure = snapshot.failure();
      if (manifest == null) {
        if (failure instanceof IntegrityException damaged) {
          warn("skipping damaged snapshot " + snapshot.id().shortHex() + ": " + damaged.getMessage() + " (run check)");
          continue;
        }
        if (failure instanceof RepositoryException) {
          // Listed a moment ago and gone now: forgotten meanwhile, so not to be searched.
          continue;
        }
        throw Objects.requireNonNull(failure);
      }
      SnapshotManifest.Detail detail = manifest.detail();
      if (detail == null) {
        throw new IllegalStateException("a full key always reads the snapshot detail");
      }
      read.add(new Candidate(snapshot.id(), manifest.summary().time(), manifest.summary().host(), detail.rootTree()));
    }
    return read;
  }

  /** The snapshots the query selects, oldest first. */
  private List<Candidate> select(List<Candidate> all, Set<ObjectId> stored) throws RepositoryException {
    String host = query.host();
    Instant from = query.takenFrom();
    Instant before = query.takenBefore();
    List<Candidate> filtered = new ArrayList<>();
    for (Candidate c : all) {
      if ((host == null || host.equalsIgnoreCase(c.host())) && (from == null || !c.time().isBefore(from))
          && (before == null || c.time().isBefore(before))) {
        filtered.add(c);
      }
    }
    filtered.sort(Comparator.comparing(Candidate::time).thenComparing(Candidate::id));
    if (query.snapshots().isEmpty()) {
      return filtered;
    }
    Set<ObjectId> wanted = new LinkedHashSet<>();
    for (String reference : query.snapshots()) {
      String ref = reference.strip().toLowerCase(Locale.ROOT);
      if (ref.equals("latest")) {
        if (!filtered.isEmpty()) {
          wanted.add(filtered.get(filtered.size() - 1).id());
        }
      } else {
        wanted.add(resolve(reference, ref, stored));
      }
    }
    return filtered.stream().filter(c -> wanted.contains(c.id())).toList();
  }

  private static ObjectId resolve(String reference, String ref, Set<ObjectId> stored) throws RepositoryException {
    if (!ref.matches("[0-9a-f]{4,64}")) {
      throw new RepositoryException("'" + reference + "' is not a snapshot id: give 'latest' or at least 4 hex digits of an id");
    }
    List<ObjectId> matches = stored.stream().filter(id -> id.hex().startsWith(ref)).toList();
    if (matches.isEmpty()) {
      throw new RepositoryException("no snapshot matches '" + reference + "': list them with 'snapshots'");
    }
    if (matches.size() > 1) {
      throw new RepositoryException("'" + reference + "' matches " + matches.size() + " snapshots: give more digits");
    }
    return matches.get(0);
  }

  /** Indexes the snapshots oldest first; returns how many were added. */
  private int build(NameIndex index, List<Candidate> toIndex, @Nullable NameCache cache)
      throws IOException, CorruptDataException {
    int done = 0;
    int total = toIndex.size();
    long[] lastReport = {System.nanoTime()};
    int[] finished = {0};
    IndexBuilder.Progress progress = trees -> {
      long now = System.nanoTime();
      if (now - lastReport[0] >= PROGRESS_INTERVAL_NANOS) {
        lastReport[0] = now;
        query.progress().accept(new FindQuery.Progress(finished[0], total, trees));
      }
    };
    try (IndexBuilder builder = new IndexBuilder(engine.reader(), index, sink(cache), progress,
        NameFileWriter.versionsPerFile(engine.memoryBudget()))) {
      IOException failure = null;
      try {
        for (Candidate c : toIndex) {
          ObjectId root = c.root();
          if (root == null) {
            continue;
          }
          try {
            builder.add(c.id(), c.time(), c.host(), root);
            done++;
          } catch (RepositoryException e) {
            // A damaged or unindexed tree: this snapshot cannot be searched, the others can.
            warn("skipping snapshot " + c.id().shortHex() + ": " + e.getMessage() + " (run check)");
          }
          finished[0]++;
          if (finished[0] < total) {
            query.progress().accept(new FindQuery.Progress(finished[0], total, builder.treesRead()));
          }
        }
      } catch (IOException e) {
        failure = e;
      }
      // What was indexed stays useful even when a storage failure stops the search.
      try {
        builder.finish();
      } catch (IOException e) {
        failure = NameIndex.firstOf(failure, e);
      }
      if (failure != null) {
        throw failure;
      }
      query.progress().accept(new FindQuery.Progress(finished[0], total, builder.treesRead()));
    }
    return done;
  }
}
