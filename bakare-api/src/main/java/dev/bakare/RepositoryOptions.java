package dev.bakare;

import dev.bakare.chunking.ChunkerParameters;
import dev.bakare.chunking.Chunkers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to reach and run a repository. Immutable; build with {@link #builder()}. Settings marked
 * <i>init</i> are recorded when the repository is created and ignored afterwards.
 */
public final class RepositoryOptions {
  /** The pack size a repository gets by default: 16 MiB. */
  public static final int DEFAULT_PACK_SIZE = 16 << 20;

  private final String location;
  private final Map<String, String> storageOptions;
  private final @Nullable Path keyFile;
  private final char @Nullable [] passphrase;
  private final @Nullable Path configDirectory;
  private final @Nullable Path cacheDirectory;
  private final String chunker;
  private final ChunkerParameters chunkerParameters;
  private final String cipher;
  private final int packSize;
  private final int compressionLevel;
  private final int threads;
  private final long memoryLimit;
  private final Duration heartbeat;
  private final Duration outageTolerance;

  private RepositoryOptions(Builder b) {
    this.location = Objects.requireNonNull(b.location, "location is required");
    this.storageOptions = Map.copyOf(b.storageOptions);
    this.keyFile = b.keyFile;
    this.passphrase = b.passphrase == null ? null : b.passphrase.clone();
    this.configDirectory = b.configDirectory;
    this.cacheDirectory = b.cacheDirectory;
    this.chunker = b.chunker;
    this.chunkerParameters = b.chunkerParameters;
    this.cipher = b.cipher;
    this.packSize = b.packSize;
    this.compressionLevel = b.compressionLevel;
    this.threads = b.threads;
    this.memoryLimit = b.memoryLimit;
    this.heartbeat = b.heartbeat;
    this.outageTolerance = b.outageTolerance;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A path or URI: {@code /backups/repo}, {@code file:///backups/repo}, {@code s3://bucket/prefix}. */
  public String location() {
    return location;
  }

  /** Options for the storage provider, such as {@code s3.region}. */
  public Map<String, String> storageOptions() {
    return storageOptions;
  }

  /**
   * The key file to use; null means the default: {@code <configDirectory>/keys/<repository id>.key},
   * where {@code init} writes it.
   */
  public @Nullable Path keyFile() {
    return keyFile;
  }

  /** The key file's passphrase; at init, null means an unprotected key file (mode 0600). */
  public char @Nullable [] passphrase() {
    return passphrase == null ? null : passphrase.clone();
  }

  /**
   * Where default key files live; null means {@code $XDG_CONFIG_HOME/bakare}, or {@code
   * ~/.config/bakare} when that variable is unset.
   */
  public @Nullable Path configDirectory() {
    return configDirectory;
  }

  /**
   * Where local, derived data lives (the chunk index's working file, caches such as {@link
   * Repository#find}'s name index in {@code <cacheDirectory>/<repository id>/names/}); null means {@code
   * $XDG_CACHE_HOME/bakare}, or {@code ~/.cache/bakare} when that variable is unset. Nothing there is
   * needed to restore: deleting it costs only time.
   */
  public @Nullable Path cacheDirectory() {
    return cacheDirectory;
  }

  /** The cache directory this machine uses when none is configured. */
  public static Path defaultCacheDirectory() {
    return dev.bakare.internal.repo.UserDirectories.cache(System.getenv());
  }

  /** <i>init</i>: the chunker name, {@value Chunkers#DEFAULT} by default. */
  public String chunker() {
    return chunker;
  }

  /** <i>init</i>: chunk size bounds; min 256 KiB, average 1 MiB, max 4 MiB by default. */
  public ChunkerParameters chunkerParameters() {
    return chunkerParameters;
  }

  /** <i>init</i>: the AEAD cipher, {@code aes-256-gcm} by default. */
  public String cipher() {
    return cipher;
  }

  /** <i>init</i>: the target pack size in bytes. */
  public int packSize() {
    return packSize;
  }

  /** The zstd level for new chunks (1 fastest .. 19 smallest); 3 by default. */
  public int compressionLevel() {
    return compressionLevel;
  }

  /**
   * Worker threads for CPU work; by default one per available processor. A backup also walks directories
   * on four times as many threads (at least 8, at most 64), which mostly wait for metadata reads.
   */
  public int threads() {
    return threads;
  }

  /** A bound in bytes on the memory buffers of packs in flight take; 512 MiB by default. */
  public long memoryLimit() {
    return memoryLimit;
  }

  /**
   * How often a backup refreshes its session while it runs: 60 seconds by default. A prune judges a
   * session abandoned after its session expiry without a heartbeat, so keep this well below that.
   */
  public Duration heartbeat() {
    return heartbeat;
  }

  /**
   * How long storage may keep failing with transient errors (timeouts, resets, 5xx, throttling) before an
   * operation gives up: 10 minutes by default. Meanwhile operations are retried with exponential backoff
   * and jitter; errors that retrying cannot fix (access denied, a missing bucket) fail at once. Zero turns
   * retries off.
   */
  public Duration outageTolerance() {
    return outageTolerance;
  }

  /** Builds {@link RepositoryOptions}. */
  public static final class Builder {
    private @Nullable String location;
    private final Map<String, String> storageOptions = new LinkedHashMap<>();
    private @Nullable Path keyFile;
    private char @Nullable [] passphrase;
    private @Nullable Path configDirectory;
    private @Nullable Path cacheDirectory;
    private String chunker = Chunkers.DEFAULT;
    private ChunkerParameters chunkerParameters = ChunkerParameters.DEFAULT;
    private String cipher = "aes-256-gcm";
    private int packSize = DEFAULT_PACK_SIZE;
    private int compressionLevel = 3;
    private int threads = Runtime.getRuntime().availableProcessors();
    private long memoryLimit = 512L << 20;
    private Duration heartbeat = Duration.ofSeconds(60);
    private Duration outageTolerance = Duration.ofMinutes(10);

    private Builder() {}

    public Builder outageTolerance(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("outage tolerance must not be negative, got " + value);
      }
      this.outageTolerance = value;
      return this;
    }

    public Builder heartbeat(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("heartbeat must be positive, got " + interval);
      }
      this.heartbeat = interval;
      return this;
    }

    public Builder location(String value) {
      this.location = Objects.requireNonNull(value);
      return this;
    }

    public Builder location(Path value) {
      return location(value.toString());
    }

    public Builder storageOption(String key, String value) {
      storageOptions.put(key, value);
      return this;
    }

    public Builder storageOptions(Map<String, String> values) {
      storageOptions.putAll(values);
      return this;
    }

    public Builder keyFile(@Nullable Path value) {
      this.keyFile = value;
      return this;
    }

    public Builder passphrase(char @Nullable [] value) {
      if (passphrase != null) {
        Arrays.fill(passphrase, '\0');
      }
      this.passphrase = value == null ? null : value.clone();
      return this;
    }

    public Builder configDirectory(@Nullable Path value) {
      this.configDirectory = value;
      return this;
    }

    public Builder cacheDirectory(@Nullable Path value) {
      this.cacheDirectory = value;
      return this;
    }

    public Builder chunker(String name) {
      this.chunker = Objects.requireNonNull(name);
      return this;
    }

    public Builder chunkerParameters(ChunkerParameters value) {
      this.chunkerParameters = Objects.requireNonNull(value);
      return this;
    }

    public Builder cipher(String name) {
      this.cipher = Objects.requireNonNull(name);
      return this;
    }

    public Builder packSize(int bytes) {
      if (bytes < (1 << 16) || bytes > (1 << 30)) {
        throw new IllegalArgumentException("pack size " + bytes + " is outside 64 KiB .. 1 GiB");
      }
      this.packSize = bytes;
      return this;
    }

    public Builder compressionLevel(int level) {
      if (level < 1 || level > 19) {
        throw new IllegalArgumentException("compression level " + level + " is outside 1..19");
      }
      this.compressionLevel = level;
      return this;
    }

    public Builder threads(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + count);
      }
      this.threads = count;
      return this;
    }

    public Builder memoryLimit(long bytes) {
      if (bytes < (64L << 20)) {
        throw new IllegalArgumentException("memory limit " + bytes + " is below the minimum of 64 MiB");
      }
      this.memoryLimit = bytes;
      return this;
    }

    public RepositoryOptions build() {
      return new RepositoryOptions(this);
    }
  }
}
