package dev.bakare.internal.repo;

import dev.bakare.IntegrityException;
import dev.bakare.KeyException;
import dev.bakare.PassphraseRequiredException;
import dev.bakare.RepositoryException;
import dev.bakare.RepositoryNotFoundException;
import dev.bakare.RepositoryOptions;
import dev.bakare.chunking.Chunker;
import dev.bakare.chunking.Chunkers;
import dev.bakare.internal.concurrent.DaemonThreads;
import dev.bakare.internal.content.ChunkHasher;
import dev.bakare.internal.content.ChunkIndex;
import dev.bakare.internal.content.ChunkIndexCache;
import dev.bakare.internal.content.Compressor;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.content.PackHeaders;
import dev.bakare.internal.content.PackStaging;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.AeadAlgorithms;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.snapshot.SnapshotCache;
import dev.bakare.internal.snapshot.SnapshotManifest;
import dev.bakare.internal.store.BlobBytes;
import dev.bakare.internal.store.RetryPolicy;
import dev.bakare.internal.store.RetryingBlobStore;
import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An open repository: its store, config and keys, and the components built from them. The public
 * {@code Repository} facade delegates here. Thread-safe.
 */
public final class Engine implements AutoCloseable {
  /** The most operations in flight a store asks for that {@link #smallReadsAreCheap} counts as local. */
  private static final int LOCAL_CONCURRENCY = 4;
  private static final System.Logger LOG = System.getLogger(Engine.class.getName());
  private static final int INDEX_SEGMENT_MAX_CHUNKS = 100_000;
  /** How often the index is listed again when listed segments vanish before they are read. */
  private static final int MAX_INDEX_ROUNDS = 10;
  /** Snapshots read at once by {@link #readSnapshots}. */
  private static final int SNAPSHOT_READERS = 8;

  private final RepositoryOptions options;
  private final EngineHooks hooks;
  private final BlobStore store;
  private final Config config;
  private final byte[] configBytes;
  private final KeyMaterial keys;
  private final Path keyFile;
  private final Sealing sealing;
  private final ChunkHasher hasher;
  private final Compressor compressor;
  private final Chunker chunker;
  private @Nullable ChunkIndex index;
  private @Nullable Path localDirectory;
  private @Nullable PackStaging packStaging;
  /**
   * Chunks the segments in {@link #loadedSegments} and {@link #writtenSegments} list, counted as they were
   * loaded or written (a pack two segments list counts twice): the index holds exactly their entries only
   * while its own count equals this, which is what writing it to the cache checks.
   */
  private long chunksOfKnownSegments;
  /** Segments this process wrote for packs its writers added to the index ({@link #writeIndex}). */
  private final java.util.Set<BlobName> writtenSegments = new java.util.HashSet<>();
  /** Chunks in the index cache file as this process last read or wrote it; 0 if it did neither. */
  private long chunksInCacheFile;
  private final java.util.Set<BlobName> loadedSegments = new java.util.HashSet<>();
  private final java.util.Map<BlobName, String> damagedSegments = new java.util.HashMap<>();
  private final java.util.Set<ObjectId> unreadableHeaders = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Engine(RepositoryOptions options, EngineHooks hooks, BlobStore store, Config config, byte[] configBytes,
      KeyMaterial keys, Path keyFile) throws RepositoryException {
    this.options = options;
    this.hooks = hooks;
    this.store = store;
    this.config = config;
    this.configBytes = configBytes;
    this.keys = keys;
    this.keyFile = keyFile;
    AeadAlgorithm cipher = AeadAlgorithms.byName(config.cipher()).orElseThrow(() -> new RepositoryException(
        "the repository uses cipher '" + config.cipher() + "', which this bakare lacks (it has "
            + AeadAlgorithms.names() + "): upgrade bakare"));
    this.sealing = new Sealing(cipher, keys);
    this.hasher = new ChunkHasher(keys.chunkIdKey());
    this.compressor = new Compressor(options.compressionLevel());
    try {
      this.chunker = Chunkers.factory(config.chunker()).create(config.chunkerParameters(), keys.chunkerKey());
    } catch (IllegalArgumentException e) {
      throw new RepositoryException("the repository's chunker cannot be used: " + e.getMessage() + ": upgrade bakare", e);
    }
  }

  /** Creates a repository and its key file, and opens it. */
  public static Engine init(RepositoryOptions options, EngineHooks hooks) throws IOException {
    if (AeadAlgorithms.byName(options.cipher()).isEmpty()) {
      throw new IllegalArgumentException("unknown cipher '" + options.cipher() + "' (available: " + AeadAlgorithms.names() + ")");
    }
    Chunkers.factory(options.chunker()).create(options.chunkerParameters(), new byte[32]);
    BlobStore store = openStore(options, hooks, OpenMode.CREATE);
    boolean success = false;
    Path keyPath = null;
    try {
      List<BlobInfo> existing = new ArrayList<>();
      store.list("", info -> {
        if (existing.size() < 3) {
          existing.add(info);
        }
      });
      if (!existing.isEmpty()) {
        throw new RepositoryException(store.stat(Layout.CONFIG).isPresent()
            ? "a bakare repository already exists at " + store.describe() + ": open it instead of running init"
            : store.describe() + " is not empty (it holds " + existing.get(0).name()
                + "): init needs an empty location");
      }
      KeyMaterial keys = KeyMaterial.generate();
      String id = HexFormat.of().formatHex(Crypto.randomBytes(16));
      Config config = new Config(Config.VERSION, id, Instant.now(), options.chunker(), options.chunkerParameters(),
          options.cipher(), options.packSize(), HexFormat.of().formatHex(keys.fingerprint()));
      byte[] configBytes = config.encode(keys);
      keyPath = options.keyFile() != null ? options.keyFile() : KeyFiles.defaultKeyFile(options.configDirectory(), id);
      char[] passphrase = options.passphrase();
      byte[] keyFileBytes = KeyFile.create(keys, id, passphrase).encode();
      KeyFiles.write(keyPath, keyFileBytes);
      if (passphrase != null) {
        // A passphrase-protected copy in the repository lets the owner restore on a new machine with
        // nothing but the passphrase.
        store.put(Layout.key(ObjectId.wrap(Crypto.sha256(keyFileBytes)).hex()), ByteBuffer.wrap(keyFileBytes),
            PutMode.CREATE_ONLY);
      }
      try {
        store.put(Layout.CONFIG, ByteBuffer.wrap(configBytes), PutMode.CREATE_ONLY);
      } catch (BlobAlreadyExistsException e) {
        throw new RepositoryException("another process created a repository at " + store.describe() + " at the same time", e);
      }
      Engine engine = new Engine(options, hooks, store, config, configBytes, keys, keyPath);
      success = true;
      return engine;
    } finally {
      if (!success) {
        if (keyPath != null) {
          deleteQuietlyOnFailure(keyPath);
        }
        store.close();
      }
    }
  }

  private static BlobStore openStore(RepositoryOptions options, EngineHooks hooks, OpenMode mode) throws StorageException {
    BlobStore given = hooks.store();
    if (given != null) {
      return new UnclosedStore(given);
    }
    StorageLocation location = StorageLocation.parse(options.location(), options.storageOptions());
    return RetryingBlobStore.open(() -> StorageProviders.open(location, mode),
        RetryPolicy.builder().outageTolerance(options.outageTolerance()).build());
  }

  /** A store the engine was given: several engines may share it, so closing one engine leaves it open. */
  private static final class UnclosedStore extends dev.bakare.store.spi.ForwardingBlobStore {
    UnclosedStore(BlobStore delegate) {
      super(delegate);
    }

    @Override
    public void putFrom(dev.bakare.store.spi.BlobName name, java.nio.channels.FileChannel source, long length,
        PutMode mode) throws StorageException {
      delegate().putFrom(name, source, length, mode);
    }

    @Override
    public java.util.Optional<dev.bakare.store.spi.StagedBlob> stage() throws StorageException {
      return delegate().stage();
    }

    @Override
    public void close() {
      // The test that created the store closes it.
    }
  }

  private static void deleteQuietlyOnFailure(Path keyPath) {
    try {
      Files.deleteIfExists(keyPath);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not remove the key file " + keyPath + " of the failed init: " + e.getMessage());
    }
  }

  /** Opens an existing repository with the key the options name or the default key file. */
  public static Engine open(RepositoryOptions options, EngineHooks hooks) throws IOException {
    BlobStore store = openStore(options, hooks, OpenMode.EXISTING);
    boolean success = false;
    try {
      byte[] configBytes;
      try {
        configBytes = BlobBytes.array(store.get(Layout.CONFIG));
      } catch (BlobNotFoundException e) {
        throw new RepositoryNotFoundException("no bakare repository at " + store.describe()
            + " (it has no config): check the location, or run init to create one");
      }
      Config config;
      try {
        int version = Config.peekVersion(configBytes);
        if (version > Config.VERSION) {
          throw new RepositoryException("the repository at " + store.describe() + " has format version " + version + " in its config"
              + ", newer than this bakare supports (" + Config.VERSION + "): upgrade bakare");
        }
        config = Config.decode(configBytes);
      } catch (CorruptDataException e) {
        throw new IntegrityException("config", e.getMessage(), e);
      }
      LoadedKey key = loadKey(options, store, config);
      try {
        if (!config.fingerprintMatches(key.keys())) {
          // Every key loaded names this repository's id (a foreign key was refused above): a fingerprint that
          // differs is damage, not a foreign key.
          throw new IntegrityException("config", "its key-fingerprint does not match key " + key.path() + ", which was"
              + " made for this repository (" + config.id() + "): the config (or the key file) was modified or damaged",
              null);
        }
        if (!Config.macMatches(configBytes, key.keys())) {
          throw new IntegrityException("config", "its MAC does not verify under the repository key: it was modified", null);
        }
      } catch (CorruptDataException e) {
        throw new IntegrityException("config", e.getMessage(), e);
      }
      Engine engine = new Engine(options, hooks, store, config, configBytes, key.keys(), key.path());
      success = true;
      return engine;
    } finally {
      if (!success) {
        store.close();
      }
    }
  }

  private record LoadedKey(KeyMaterial keys, Path path) {}

  private static LoadedKey loadKey(RepositoryOptions options, BlobStore store, Config config) throws IOException {
    Path explicit = options.keyFile();
    Path path = explicit != null ? explicit : KeyFiles.defaultKeyFile(options.configDirectory(), config.id());
    char[] passphrase = options.passphrase();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      if (explicit == null && passphrase != null) {
        List<String> damaged = new ArrayList<>();
        Optional<KeyMaterial> fromRepository = unlockRepositoryCopy(store, config, passphrase, damaged);
        if (fromRepository.isPresent()) {
          return new LoadedKey(fromRepository.get(), Path.of(store.describe(), "keys"));
        }
        if (!damaged.isEmpty()) {
          throw new KeyException("no key file for repository " + config.id() + " at " + path + ", and the key copies in"
              + " the repository do not open: " + String.join("; ", damaged) + ": pass the key file init wrote (--key FILE)");
        }
      }
      if (explicit == null && passphrase == null && hasRepositoryCopies(store)) {
        throw new PassphraseRequiredException("no key file for repository " + config.id() + " at " + path
            + ", but the repository holds passphrase-protected copies: set BAKARE_PASSPHRASE (or pass"
            + " --passphrase-file) to use one, or pass --key FILE");
      }
      throw new KeyException(explicit != null
          ? "key file " + path + " does not exist: check the --key path"
          : "no key for repository " + config.id() + " at " + path
              + " (where init puts it): pass --key FILE or set BAKARE_KEY", e);
    }
    KeyFile file;
    try {
      file = KeyFile.decode(bytes);
    } catch (CorruptDataException e) {
      throw new KeyException(path + " is not a usable bakare key file: " + e.getMessage(), e);
    }
    if (!file.repositoryId().equals(config.id())) {
      if (fitsFingerprint(file, passphrase, config)) {
        // The key's master key is the one the config names: the config's id is what changed.
        throw new IntegrityException("config", "it names repository " + config.id() + ", but key " + path + " of"
            + " repository " + file.repositoryId() + " fits its key-fingerprint: the config was modified or damaged", null);
      }
      throw new KeyException("key file " + path + " belongs to repository " + file.repositoryId()
          + ", not to repository " + config.id() + " at " + store.describe() + ": pass the key of this repository");
    }
    return new LoadedKey(unlock(file, passphrase, path.toString()), path);
  }

  private static boolean fitsFingerprint(KeyFile file, char @Nullable [] passphrase, Config config) {
    try {
      return file.unlock(passphrase) instanceof KeyFile.Unlocked.Key key && config.fingerprintMatches(key.keys());
    } catch (CorruptDataException e) {
      // An unreadable key file fits nothing; the caller reports the mismatch of ids.
      return false;
    }
  }

  private static KeyMaterial unlock(KeyFile file, char @Nullable [] passphrase, String where) throws KeyException {
    KeyFile.Unlocked result;
    try {
      result = file.unlock(passphrase);
    } catch (CorruptDataException e) {
      throw new KeyException(where + " is not a usable bakare key file: " + e.getMessage(), e);
    }
    if (result instanceof KeyFile.Unlocked.Key key) {
      return key.keys();
    }
    if (result instanceof KeyFile.Unlocked.PassphraseNeeded) {
      throw new PassphraseRequiredException(
          "key file " + where + " is protected by a passphrase: set BAKARE_PASSPHRASE or pass --passphrase-file");
    }
    throw new KeyException("wrong passphrase for key file " + where);
  }

  private static boolean hasRepositoryCopies(BlobStore store) throws StorageException {
    boolean[] any = {false};
    store.list(Layout.KEYS, info -> any[0] = true);
    return any[0];
  }

  /** The key from the first copy in {@code keys/} the passphrase opens; copies found damaged go to {@code damaged}. */
  private static Optional<KeyMaterial> unlockRepositoryCopy(BlobStore store, Config config, char[] passphrase,
      List<String> damaged) throws IOException {
    List<BlobName> names = new ArrayList<>();
    store.list(Layout.KEYS, info -> names.add(info.name()));
    for (BlobName name : names) {
      byte[] bytes = BlobBytes.array(store.get(name));
      // Copies are named by their SHA-256: a mismatch is damage, which a wrong passphrase must not be blamed for.
      if (!HexFormat.of().formatHex(Crypto.sha256(bytes)).equals(name.lastSegment())) {
        damaged.add(name + " is damaged (its SHA-256 does not match its name)");
        continue;
      }
      KeyFile file;
      try {
        file = KeyFile.decode(bytes);
      } catch (CorruptDataException e) {
        damaged.add(name + " is unreadable: " + e.getMessage());
        continue;
      }
      if (!file.repositoryId().equals(config.id())) {
        continue;
      }
      try {
        if (file.unlock(passphrase) instanceof KeyFile.Unlocked.Key key) {
          return Optional.of(key.keys());
        }
      } catch (CorruptDataException e) {
        damaged.add(name + " is unreadable: " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  public RepositoryOptions options() {
    return options;
  }

  public EngineHooks hooks() {
    return hooks;
  }

  public BlobStore store() {
    return store;
  }

  /**
   * Whether a read of the store costs about as much small as large: true for a store that wants few
   * operations in flight (the file store asks for 4), false for a remote one, where every read is a round
   * trip. Readers then fetch just the bytes they need instead of larger spans that save requests.
   */
  public boolean smallReadsAreCheap() {
    return store.capabilities().recommendedConcurrency() <= LOCAL_CONCURRENCY;
  }

  public Config config() {
    return config;
  }

  public byte[] configBytes() {
    return configBytes.clone();
  }

  public KeyMaterial keys() {
    return keys;
  }

  public Path keyFile() {
    return keyFile;
  }

  public Sealing sealing() {
    return sealing;
  }

  public ChunkHasher hasher() {
    return hasher;
  }

  public Compressor compressor() {
    return compressor;
  }

  public Chunker chunker() {
    return chunker;
  }

  /** Fails with a clear message unless this engine holds the full key. */
  public void requireFullKey(String operation) throws KeyException {
    if (!keys.isFull()) {
      throw new KeyException(operation + " needs the full key; " + keyFile
          + " is a write key, which can only add backups");
    }
  }

  /**
   * The chunk index, brought up to date: segments written since the last call (by this or any other
   * process) are loaded. Entries of segments deleted meanwhile stay; callers that deduplicate filter them
   * by the packs they list (see {@link ChunkIndex#withPackStates}). Lives until the engine closes.
   *
   * <p>Self-healing: a damaged segment is reported and skipped, and with the full key every pack no
   * readable segment lists is indexed from its own header, so a damaged or lost segment never makes a
   * snapshot unreadable ({@code repair index} then writes the index down again).
   */
  public synchronized ChunkIndex index() throws IOException {
    List<BlobInfo> segments = indexSegments();
    ChunkIndex loaded = index;
    boolean first = loaded == null;
    if (loaded == null) {
      loaded = cachedIndex(segments);
      if (loaded == null) {
        loaded = ChunkIndex.create(workDirectory(), expectedChunks(segments));
      }
      index = loaded;
    }
    long chunksFromStorage = 0;
    for (int round = 1; ; round++) {
      boolean missed = false;
      for (BlobInfo segment : segments) {
        BlobName name = segment.name();
        if (loadedSegments.contains(name) || damagedSegments.containsKey(name)) {
          continue;
        }
        try {
          IndexSegment read = readIndexSegment(name);
          loaded.addAll(read);
          loadedSegments.add(name);
          chunksFromStorage += read.chunkCount();
          chunksOfKnownSegments += read.chunkCount();
        } catch (IntegrityException e) {
          damagedSegments.put(name, e.problem());
          LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; the packs it lists are indexed from their own"
              + " headers (run repair index to write the index again)");
        } catch (BlobNotFoundException e) {
          missed = true;
        }
      }
      if (!missed) {
        if (first) {
          cacheIfWorthIt(loaded, chunksFromStorage);
        }
        return loaded;
      }
      segments = relistAfterVanished(round);
    }
  }

  /**
   * The index kept in the cache directory, if it holds only segments that are still listed: a prune that
   * replaced segments since makes it stale (entries of deleted packs), and the index is read whole again.
   */
  private @Nullable ChunkIndex cachedIndex(List<BlobInfo> segments) {
    Optional<ChunkIndexCache.Cached> cached = indexCache().read();
    if (cached.isEmpty()) {
      return null;
    }
    java.util.Set<ObjectId> listed = new java.util.HashSet<>();
    for (BlobInfo segment : segments) {
      Layout.idOf(segment.name(), Layout.INDEX).ifPresent(listed::add);
    }
    if (!listed.containsAll(cached.get().segments())) {
      LOG.log(System.Logger.Level.DEBUG, "the chunk index cache names segments a prune replaced: reading the index again");
      cached.get().index().close();
      return null;
    }
    for (ObjectId segment : cached.get().segments()) {
      loadedSegments.add(Layout.index(segment));
    }
    chunksOfKnownSegments = cached.get().index().chunkCount();
    chunksInCacheFile = chunksOfKnownSegments;
    return cached.get().index();
  }

  /**
   * Writes the index just loaded to the cache when an eighth or more of it came from storage: the first
   * time, and then as new segments add up, so that a large repository's cache is not written again for
   * every backup's few new chunks. The index holds nothing but segments' entries at this point.
   */
  private void cacheIfWorthIt(ChunkIndex loaded, long chunksFromStorage) {
    if (chunksFromStorage > 0 && chunksFromStorage * 8 >= loaded.chunkCount()) {
      writeIndexCache(loaded);
    }
  }

  /**
   * After a backup committed: writes the index to the cache with the segments this process wrote for its
   * packs, when an eighth or more of it is not in the cache file yet, so that the next command need not read
   * them from storage. Nothing is written unless the index holds exactly the listed segments' entries (no
   * pack indexed from its header, none of a failed backup; see {@link #chunksOfKnownSegments}).
   */
  public synchronized void cacheIndexAfterBackup() {
    ChunkIndex loaded = index;
    if (loaded != null && (chunksOfKnownSegments - chunksInCacheFile) * 8 >= chunksOfKnownSegments
        && chunksOfKnownSegments > chunksInCacheFile) {
      writeIndexCache(loaded);
    }
  }

  private void writeIndexCache(ChunkIndex loaded) {
    List<ObjectId> segments = new ArrayList<>();
    for (BlobName name : loadedSegments) {
      Layout.idOf(name, Layout.INDEX).ifPresent(segments::add);
    }
    for (BlobName name : writtenSegments) {
      if (!loadedSegments.contains(name)) {
        Layout.idOf(name, Layout.INDEX).ifPresent(segments::add);
      }
    }
    ChunkIndexCache cache = indexCache();
    try {
      if (cache.write(loaded, segments, chunksOfKnownSegments)) {
        chunksInCacheFile = chunksOfKnownSegments;
      } else {
        LOG.log(System.Logger.Level.DEBUG, "the chunk index holds entries no listed segment has: not cached");
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot write the chunk index cache " + cache.file() + " (" + e.getMessage()
          + "): the next command reads the index from the repository again; check the cache directory");
    }
  }

  private ChunkIndexCache indexCache() {
    return new ChunkIndexCache(localDirectory(), config.id(), workDirectory());
  }

  /**
   * A segment listed but gone when read was replaced by a prune's sweep, which puts the replacement before
   * it deletes the original: listing again finds the replacement.
   */
  private List<BlobInfo> relistAfterVanished(int round) throws IOException {
    if (round == MAX_INDEX_ROUNDS) {
      throw new RepositoryException("index segments of " + store.describe() + " vanished while they were read, "
          + MAX_INDEX_ROUNDS + " times in a row: prunes keep replacing them; try again when they are done");
    }
    return indexSegments();
  }

  /**
   * {@link #index()}, plus, with the full key, every pack of {@code listing} that no readable segment
   * lists, indexed from its header.
   */
  public ChunkIndex index(java.util.Map<ObjectId, Long> listing) throws IOException {
    ChunkIndex loaded = index();
    if (keys.isFull()) {
      indexUnlistedPacks(loaded, listing);
    }
    return loaded;
  }

  /** Index segments found damaged so far, with what is wrong with each. */
  public synchronized java.util.Map<BlobName, String> damagedSegments() {
    return java.util.Map.copyOf(damagedSegments);
  }

  /**
   * Adds to {@code index} every pack in {@code packs} that no segment lists, read from the pack's header
   * (left by an interrupted backup, written by a backup still running, or listed only in a damaged or lost
   * segment). Returns how many were added; packs whose header is damaged are reported and left out.
   */
  public int indexUnlistedPacks(ChunkIndex index, java.util.Map<ObjectId, Long> packs) throws IOException {
    int added = 0;
    for (java.util.Map.Entry<ObjectId, Long> pack : packs.entrySet()) {
      if (index.containsPack(pack.getKey()) || unreadableHeaders.contains(pack.getKey())) {
        continue;
      }
      try {
        index.add(PackHeaders.read(store, sealing, pack.getKey(), pack.getValue()));
        added++;
      } catch (IntegrityException e) {
        unreadableHeaders.add(pack.getKey());
        LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; its chunks are reachable only through the index");
      } catch (dev.bakare.store.spi.BlobNotFoundException e) {
        // Deleted by a prune since the listing.
      }
    }
    return added;
  }

  /**
   * A new index of exactly what the segments in storage say now, for a job that must not see stale
   * entries (prune, check). The caller closes it.
   */
  public ChunkIndex freshIndex() throws IOException {
    List<BlobInfo> segments = indexSegments();
    ChunkIndex fresh = ChunkIndex.create(workDirectory(), expectedChunks(segments));
    boolean loaded = false;
    try {
      java.util.Set<BlobName> read = new java.util.HashSet<>();
      for (int round = 1; ; round++) {
        boolean missed = false;
        for (BlobInfo segment : segments) {
          if (read.contains(segment.name())) {
            continue;
          }
          try {
            fresh.addAll(readIndexSegment(segment.name()));
            read.add(segment.name());
          } catch (BlobNotFoundException e) {
            missed = true;
          }
        }
        if (!missed) {
          break;
        }
        segments = relistAfterVanished(round);
      }
      loaded = true;
      return fresh;
    } finally {
      if (!loaded) {
        fresh.close();
      }
    }
  }

  /**
   * Where new packs are kept while filled and uploaded ({@link PackStaging#choose}): in files the store
   * stages where it keeps its blobs (the {@code file:} store), else in files in the {@link #workDirectory}
   * when the store puts from a file without reading it into memory and a file can be made there, else in
   * memory. Decided once.
   */
  public synchronized PackStaging packStaging() {
    PackStaging decided = packStaging;
    if (decided == null) {
      decided = PackStaging.choose(store, workDirectory());
      packStaging = decided;
    }
    return decided;
  }

  /** Where the chunk index keeps its working files: {@code tmp/} in the {@link #localDirectory}. */
  public Path workDirectory() {
    return localDirectory().resolve("tmp");
  }

  /**
   * Where this process keeps local working files and the chunk index cache: the cache directory, or, when
   * that cannot be written (a service user without a home directory), a directory in the system's
   * temporary directory. Decided once, so that an unusable cache directory is reported once.
   */
  private synchronized Path localDirectory() {
    Path decided = localDirectory;
    if (decided != null) {
      return decided;
    }
    Path cache = options.cacheDirectory();
    Path preferred = cache != null ? cache : RepositoryOptions.defaultCacheDirectory();
    try {
      Files.createDirectories(preferred.resolve("tmp"));
      if (Files.isWritable(preferred.resolve("tmp"))) {
        localDirectory = preferred;
        return preferred;
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "cache directory " + preferred + " unusable: " + e.getMessage());
    }
    Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "bakare-" + System.getProperty("user.name", "user"));
    LOG.log(System.Logger.Level.WARNING, "cannot write to the cache directory " + preferred + "; using " + fallback
        + " (set --cache-dir or XDG_CACHE_HOME to choose another)");
    localDirectory = fallback;
    return fallback;
  }

  /** Every pack in storage, with its size. */
  public java.util.Map<ObjectId, Long> packsInStorage() throws StorageException {
    java.util.Map<ObjectId, Long> packs = new java.util.HashMap<>();
    store.list(Layout.DATA, info -> Layout.idOf(info.name(), Layout.DATA).ifPresent(id -> packs.put(id, info.size())));
    return packs;
  }

  /** The names of all index segments. */
  public List<BlobName> indexSegmentNames() throws StorageException {
    List<BlobName> names = new ArrayList<>();
    for (BlobInfo info : indexSegments()) {
      names.add(info.name());
    }
    return names;
  }

  private List<BlobInfo> indexSegments() throws StorageException {
    List<BlobInfo> segments = new ArrayList<>();
    store.list(Layout.INDEX, info -> {
      if (Layout.idOf(info.name(), Layout.INDEX).isPresent()) {
        segments.add(info);
      }
    });
    return segments;
  }

  /** About 40 bytes a chunk in a sealed segment: enough to size the index table once. */
  private static long expectedChunks(List<BlobInfo> segments) {
    long bytes = 0;
    for (BlobInfo info : segments) {
      bytes += info.size();
    }
    return bytes / 40;
  }

  /** Reads, authenticates and decodes one index segment. */
  public IndexSegment readIndexSegment(BlobName name) throws IOException {
    byte[] bytes = BlobBytes.array(store.get(name));
    try {
      return IndexSegment.decode(sealing.openWithIndexKey(IndexSegment.SEAL_PURPOSE, bytes));
    } catch (CorruptDataException e) {
      throw new IntegrityException(name.value(), e.getMessage(), e);
    }
  }

  /**
   * Writes index segments for packs a {@code ContentWriter} uploaded. The index loads them at its next
   * refresh, skipping packs it holds already.
   */
  public void writeIndex(List<IndexSegment.IndexedPack> packs) throws IOException {
    List<BlobName> names = writeIndexSegments(packs);
    long chunks = 0;
    for (IndexSegment.IndexedPack pack : packs) {
      chunks += pack.entries().size();
    }
    synchronized (this) {
      writtenSegments.addAll(names);
      chunksOfKnownSegments += chunks;
    }
  }

  /**
   * Writes index segments listing {@code packs}, at most {@value #INDEX_SEGMENT_MAX_CHUNKS} chunks each,
   * and returns their names.
   */
  public List<BlobName> writeIndexSegments(List<IndexSegment.IndexedPack> packs) throws StorageException {
    List<BlobName> names = new ArrayList<>();
    List<IndexSegment.IndexedPack> batch = new ArrayList<>();
    int chunks = 0;
    for (IndexSegment.IndexedPack pack : packs) {
      batch.add(pack);
      chunks += pack.entries().size();
      if (chunks >= INDEX_SEGMENT_MAX_CHUNKS) {
        names.add(putIndexSegment(new IndexSegment(batch)));
        batch = new ArrayList<>();
        chunks = 0;
      }
    }
    if (!batch.isEmpty()) {
      names.add(putIndexSegment(new IndexSegment(batch)));
    }
    return names;
  }

  private BlobName putIndexSegment(IndexSegment segment) throws StorageException {
    byte[] sealed = sealing.sealWithIndexKey(IndexSegment.SEAL_PURPOSE, segment.encode());
    BlobName name = Layout.index(ObjectId.wrap(Crypto.sha256(sealed)));
    putContentAddressed(name, sealed);
    return name;
  }

  /** Stores bytes under a name derived from their SHA-256; an existing blob of that name is the same. */
  public void putContentAddressed(BlobName name, byte[] bytes) throws StorageException {
    try {
      store.put(name, ByteBuffer.wrap(bytes), PutMode.CREATE_ONLY);
    } catch (BlobAlreadyExistsException e) {
      // Same name, same bytes: a retried upload whose first answer was lost.
    }
  }

  /**
   * A reader over the index, preferring copies in packs that exist now: a long-lived index may still list
   * packs a prune deleted since (their chunks live on in the packs it repacked them into). A pack deleted
   * while the reader works is followed the same way, by listing again. It reads tree packs whole.
   */
  public ContentReader reader() throws IOException {
    return readerOf(readableIndex(), true, this::readableIndex);
  }

  /**
   * A reader as {@link #reader()} for a job that reads each tree of one snapshot once (a restore): on a
   * store where small reads are cheap it reads each tree alone instead of keeping whole tree packs.
   */
  public ContentReader onePassReader() throws IOException {
    return readerOf(readableIndex(), !smallReadsAreCheap(), this::readableIndex);
  }

  /** A reader over {@code index} as given (no reloading), with a tree cache sized by the memory budget. */
  public ContentReader reader(ChunkIndex index) {
    return readerOf(index, true, null);
  }

  /** A reader as {@link #reader(ChunkIndex)} for a job that reads each tree of one snapshot once (a backup's parent). */
  public ContentReader onePassReader(ChunkIndex index) {
    return readerOf(index, !smallReadsAreCheap(), null);
  }

  private ContentReader readerOf(ChunkIndex index, boolean wholeTreePacks,
      ContentReader.@Nullable IndexLoader reloader) {
    return new ContentReader(store, sealing, hasher, compressor, index, treePackCacheBytes(), wholeTreePacks,
        reloader);
  }

  /**
   * The memory this process may fill with buffers and caches: the configured limit, or the JVM's maximum
   * heap when that is smaller (the heap also holds everything else, so users of the budget take parts).
   */
  public long memoryBudget() {
    return Math.min(options.memoryLimit(), Runtime.getRuntime().maxMemory());
  }

  /**
   * How many whole packs half the memory budget holds, counting a pack as its size plus two maximum chunks
   * (a pack closes only after the chunk that fills it): the share a job gives packs it fills or reads whole.
   */
  public long packsInHalfTheBudget() {
    return memoryBudget() / 2 / ((long) config().packSize() + 2L * chunker().maxSize());
  }

  /** Bytes of whole tree packs a reader keeps: an eighth of the memory budget, at most 64 MiB. */
  public long treePackCacheBytes() {
    return Math.min(ContentReader.TREE_PACK_CACHE_BYTES, memoryBudget() / 8);
  }

  private ChunkIndex readableIndex() throws IOException {
    java.util.Map<ObjectId, Long> present = packsInStorage();
    return index(present).withPackStates(p -> false, present::containsKey);
  }

  /** Stores a snapshot and returns its id. */
  public ObjectId writeSnapshot(SnapshotManifest manifest) throws StorageException {
    byte[] sealed = manifest.seal(sealing);
    ObjectId id = ObjectId.wrap(Crypto.sha256(sealed));
    putContentAddressed(Layout.snapshot(id), sealed);
    return id;
  }

  public SnapshotManifest readSnapshot(ObjectId id) throws IOException {
    BlobName name = Layout.snapshot(id);
    byte[] bytes;
    try {
      bytes = BlobBytes.array(store.get(name));
    } catch (BlobNotFoundException e) {
      throw new RepositoryException("no snapshot " + id.shortHex() + " in the repository: list them with 'snapshots'", e);
    }
    if (!ObjectId.wrap(Crypto.sha256(bytes)).equals(id)) {
      throw new IntegrityException(name.value(), "its SHA-256 does not match its name", null);
    }
    try {
      return SnapshotManifest.open(sealing, bytes);
    } catch (CorruptDataException e) {
      throw new IntegrityException(name.value(), e.getMessage(), e);
    }
  }

  /** A snapshot {@link #readSnapshots} read: its manifest, or the reason it could not be read. */
  public record SnapshotRead(ObjectId id, @Nullable SnapshotManifest manifest, @Nullable IOException failure) {}

  /**
   * Reads snapshots a few at a time, in the order of {@code ids}: from S3 each is a round trip and from a
   * cold disk a seek, and finding a backup's parent among a year of daily snapshots would otherwise wait for
   * them one after another. A snapshot that cannot be read is returned with its failure; the caller decides
   * what that means. In sequential mode (the simulation) they are read one by one on this thread.
   *
   * <p>With the full key, snapshots read before come from the local {@link SnapshotCache}, and those read
   * from storage are added to it. Check, prune, repair and restore read a snapshot from storage
   * ({@link #readSnapshot}); listing, forget policies, find and a backup's parent lookup come here.
   */
  public List<SnapshotRead> readSnapshots(List<ObjectId> ids) throws IOException {
    if (!keys.isFull() || ids.isEmpty()) {
      return readSnapshotsFromStorage(ids);
    }
    SnapshotCache cache = snapshotCache();
    java.util.Map<ObjectId, SnapshotManifest> cached = cache.read();
    List<ObjectId> missing = new ArrayList<>();
    for (ObjectId id : ids) {
      if (!cached.containsKey(id)) {
        missing.add(id);
      }
    }
    java.util.Map<ObjectId, SnapshotRead> fromStorage = new java.util.HashMap<>();
    for (SnapshotRead read : readSnapshotsFromStorage(missing)) {
      fromStorage.put(read.id(), read);
    }
    List<SnapshotRead> reads = new ArrayList<>(ids.size());
    boolean added = false;
    for (ObjectId id : ids) {
      SnapshotManifest manifest = cached.get(id);
      if (manifest != null) {
        reads.add(new SnapshotRead(id, manifest, null));
      } else {
        SnapshotRead read = java.util.Objects.requireNonNull(fromStorage.get(id));
        reads.add(read);
        added |= read.manifest() != null;
      }
    }
    if (added) {
      cacheSnapshots(cache, cached, reads);
    }
    return reads;
  }

  /**
   * Writes the cache again with what it held and what was just read, leaving out snapshots that are no
   * longer listed (forgotten since), so that it does not keep every snapshot ever made.
   */
  private void cacheSnapshots(SnapshotCache cache, java.util.Map<ObjectId, SnapshotManifest> cached,
      List<SnapshotRead> reads) {
    try {
      java.util.Set<ObjectId> listed = new java.util.HashSet<>(snapshotIds());
      java.util.Map<ObjectId, SnapshotManifest> kept = new java.util.HashMap<>();
      cached.forEach((id, manifest) -> {
        if (listed.contains(id)) {
          kept.put(id, manifest);
        }
      });
      for (SnapshotRead read : reads) {
        SnapshotManifest manifest = read.manifest();
        if (manifest != null && listed.contains(read.id())) {
          kept.put(read.id(), manifest);
        }
      }
      cache.write(kept);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot write the snapshot cache " + cache.file() + " (" + e.getMessage()
          + "): snapshots are read from the repository again next time; check the cache directory");
    }
  }

  private SnapshotCache snapshotCache() {
    byte[] masterKey = keys.masterPrivateKey();
    try {
      return SnapshotCache.of(localDirectory(), config.id(), sealing.algorithm(), masterKey);
    } finally {
      Crypto.wipe(masterKey);
    }
  }

  private List<SnapshotRead> readSnapshotsFromStorage(List<ObjectId> ids) throws IOException {
    List<SnapshotRead> reads = new ArrayList<>(ids.size());
    if (hooks.sequential() || ids.size() < 2) {
      for (ObjectId id : ids) {
        reads.add(readSnapshotOrFailure(id));
      }
      return reads;
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
        Math.min(SNAPSHOT_READERS, ids.size()), DaemonThreads.named("bakare-snapshot-reader"));
    try {
      List<java.util.concurrent.Future<SnapshotRead>> pending = new ArrayList<>(ids.size());
      for (ObjectId id : ids) {
        pending.add(pool.submit(() -> readSnapshotOrFailure(id)));
      }
      for (java.util.concurrent.Future<SnapshotRead> read : pending) {
        try {
          reads.add(read.get());
        } catch (java.util.concurrent.ExecutionException e) {
          // readSnapshotOrFailure returns every IOException: what is left is a bug.
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (cause instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException("reading a snapshot failed unexpectedly", cause);
        }
      }
      return reads;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading snapshots");
    } finally {
      pool.shutdownNow();
    }
  }

  private SnapshotRead readSnapshotOrFailure(ObjectId id) {
    try {
      return new SnapshotRead(id, readSnapshot(id), null);
    } catch (IOException e) {
      return new SnapshotRead(id, null, e);
    }
  }

  /** The ids of all stored snapshots that were not forgotten. */
  public List<ObjectId> snapshotIds() throws StorageException {
    List<ObjectId> ids = new ArrayList<>();
    listSnapshots((id, info) -> ids.add(id));
    return ids;
  }

  /**
   * {@link #snapshotIds}, the most recently stored first by the store's clock (ties in id order): a
   * backup looks for its parent among the newest and need not decrypt a year of snapshots to find it.
   */
  public List<ObjectId> snapshotIdsNewestFirst() throws StorageException {
    List<java.util.Map.Entry<ObjectId, Instant>> stored = new ArrayList<>();
    listSnapshots((id, info) -> stored.add(java.util.Map.entry(id, info.lastModified())));
    stored.sort(java.util.Map.Entry.<ObjectId, Instant>comparingByValue().reversed()
        .thenComparing(e -> e.getKey().hex()));
    List<ObjectId> ids = new ArrayList<>(stored.size());
    for (java.util.Map.Entry<ObjectId, Instant> e : stored) {
      ids.add(e.getKey());
    }
    return ids;
  }

  private void listSnapshots(java.util.function.BiConsumer<ObjectId, BlobInfo> consumer) throws StorageException {
    java.util.Set<ObjectId> forgotten = forgottenSnapshots();
    store.list(Layout.SNAPSHOTS, info -> Layout.idOf(info.name(), Layout.SNAPSHOTS).filter(id -> !forgotten.contains(id))
        .ifPresent(id -> consumer.accept(id, info)));
  }

  /** The snapshots forgotten so far (their markers stay, see {@link Layout#forgotten}). */
  public java.util.Set<ObjectId> forgottenSnapshots() throws StorageException {
    java.util.Set<ObjectId> ids = new java.util.HashSet<>();
    store.list(Layout.FORGOTTEN, info -> Layout.idOf(info.name(), Layout.FORGOTTEN).ifPresent(ids::add));
    return ids;
  }

  /**
   * Forgets a snapshot: first the marker, then the snapshot. The marker keeps it forgotten if a backup
   * that committed it, paused before storing it, stores it after all.
   */
  public void forgetSnapshot(ObjectId id) throws StorageException {
    putContentAddressed(Layout.forgotten(id), new byte[0]);
    store.delete(Layout.snapshot(id));
  }

  @Override
  public void close() throws StorageException {
    ChunkIndex loaded;
    synchronized (this) {
      loaded = index;
      index = null;
    }
    if (loaded != null) {
      loaded.close();
    }
    compressor.close();
    store.close();
  }
}
