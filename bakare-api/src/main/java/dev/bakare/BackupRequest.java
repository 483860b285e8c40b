package dev.bakare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to back up and how to label it. Immutable; build with {@link #of} or {@link #builder}.
 *
 * @param paths files or directories to back up; symlinks among them are stored, not followed
 * @param tags labels stored with the snapshot
 * @param host the host name to record, or null for this machine's
 * @param excludes glob patterns: a pattern with a {@code /} matches absolute paths, one without matches
 *     file names (so {@code *.tmp} excludes every {@code .tmp} file and {@code /home/me/cache} one directory)
 * @param listener progress and per-file errors
 * @param changeDetection how files are judged unchanged since the parent snapshot ({@link
 *     ChangeDetection#STRICT} by default)
 * @param checkpointInterval how often a running backup records the index of the packs it uploaded, so that
 *     a rerun after a crash or kill stores again at most what came since: 60 seconds by default
 * @param checkpointBytes record a checkpoint at least every this many uploaded bytes: 256 MiB by default
 * @param checkpointChunks record a checkpoint at least every this many uploaded chunks: 50,000 by default.
 *     Until its checkpoint, every chunk uploaded is also kept in memory (about 100 bytes), which a backup
 *     of millions of small files would otherwise grow by hundreds of MB
 */
public record BackupRequest(
    List<Path> paths, List<String> tags, @Nullable String host, List<String> excludes, ProgressListener listener,
    ChangeDetection changeDetection, java.time.Duration checkpointInterval, long checkpointBytes,
    int checkpointChunks) {

  public BackupRequest {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("a backup needs at least one path");
    }
    paths = List.copyOf(paths);
    tags = List.copyOf(tags);
    excludes = List.copyOf(excludes);
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(changeDetection, "changeDetection");
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      throw new IllegalArgumentException("checkpoint interval must be positive, got " + checkpointInterval);
    }
    if (checkpointBytes < 1) {
      throw new IllegalArgumentException("checkpoint bytes must be positive, got " + checkpointBytes);
    }
    if (checkpointChunks < 1) {
      throw new IllegalArgumentException("checkpoint chunks must be positive, got " + checkpointChunks);
    }
  }

  public static BackupRequest of(Path... paths) {
    return builder().paths(List.of(paths)).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link BackupRequest}. */
  public static final class Builder {
    private final List<Path> paths = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final List<String> excludes = new ArrayList<>();
    private @Nullable String host;
    private ProgressListener listener = ProgressListener.NONE;
    private ChangeDetection changeDetection = ChangeDetection.STRICT;
    private java.time.Duration checkpointInterval = java.time.Duration.ofSeconds(60);
    private long checkpointBytes = 256L << 20;
    private int checkpointChunks = 50_000;

    private Builder() {}

    public Builder checkpointInterval(java.time.Duration value) {
      this.checkpointInterval = value;
      return this;
    }

    public Builder checkpointBytes(long value) {
      this.checkpointBytes = value;
      return this;
    }

    public Builder checkpointChunks(int value) {
      this.checkpointChunks = value;
      return this;
    }

    public Builder changeDetection(ChangeDetection value) {
      this.changeDetection = value;
      return this;
    }

    public Builder path(Path path) {
      paths.add(path);
      return this;
    }

    public Builder paths(List<Path> more) {
      paths.addAll(more);
      return this;
    }

    public Builder tag(String tag) {
      tags.add(tag);
      return this;
    }

    public Builder tags(List<String> more) {
      tags.addAll(more);
      return this;
    }

    public Builder host(String name) {
      this.host = name;
      return this;
    }

    public Builder exclude(String pattern) {
      excludes.add(pattern);
      return this;
    }

    public Builder excludes(List<String> patterns) {
      excludes.addAll(patterns);
      return this;
    }

    public Builder listener(ProgressListener value) {
      this.listener = value;
      return this;
    }

    public BackupRequest build() {
      return new BackupRequest(paths, tags, host, excludes, listener, changeDetection, checkpointInterval,
          checkpointBytes, checkpointChunks);
    }
  }
}
