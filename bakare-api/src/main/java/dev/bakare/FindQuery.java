package dev.bakare;

import dev.bakare.internal.find.Patterns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Repository#find} looks for: a pattern, how to read it, and which snapshots and entries to
 * consider. Immutable; build with {@link #builder(String)}.
 *
 * <pre>{@code
 * FindQuery query = FindQuery.builder("quartr rport 2023").host("laptop").types(Set.of(FileType.FILE)).build();
 * }</pre>
 */
public final class FindQuery {
  /** The default number of ranked results. */
  public static final int DEFAULT_LIMIT = 50;

  /** How the pattern is read. Every mode is smart-case: case-insensitive unless it has an upper-case letter. */
  public enum Mode {
    /**
     * Space-separated terms, each matching the path as a subsequence, as fzf does: {@code quartr rport
     * 2023} finds {@code Quarterly Report 2023.xlsx}. Ranked by consecutive characters, starts of words
     * and path segments, and matches in the file name over those in directories. fzf's operators work:
     * {@code 'exact}, {@code ^start-of-name}, {@code end-of-path$}, {@code !excluded}; {@code \ } is a
     * space inside a term.
     */
    FUZZY,
    /**
     * A shell glob ({@code *}, {@code ?}, {@code **}, {@code [a-z]}, {@code {a,b}}): the whole file name
     * must match, or, if the glob has a {@code /}, the end of the path from a segment start ({@code
     * docs/*.pdf}), or the whole path if it starts with {@code /}.
     */
    GLOB,
    /**
     * A java.util.regex expression found in the file name, or in the whole path if it has a {@code /}.
     */
    REGEX
  }

  /**
   * Progress of building the name index, which only a search over snapshots not indexed yet does. The
   * report with every snapshot indexed comes once the index is completely written.
   *
   * @param snapshotsIndexed snapshots added to the index so far
   * @param snapshotsToIndex snapshots this search adds in all
   * @param treesRead directories read from the repository so far
   */
  public record Progress(int snapshotsIndexed, int snapshotsToIndex, long treesRead) {}

  private final String pattern;
  private final Mode mode;
  private final List<String> snapshots;
  private final @Nullable String host;
  private final String under;
  private final @Nullable Instant takenFrom;
  private final @Nullable Instant takenBefore;
  private final @Nullable Instant modifiedFrom;
  private final @Nullable Instant modifiedBefore;
  private final long minSize;
  private final long maxSize;
  private final Set<FileType> types;
  private final int limit;
  private final Consumer<Progress> progress;

  private FindQuery(Builder b) {
    this.pattern = b.pattern;
    this.mode = b.mode;
    this.snapshots = List.copyOf(b.snapshots);
    this.host = b.host;
    this.under = b.under;
    this.takenFrom = b.takenFrom;
    this.takenBefore = b.takenBefore;
    this.modifiedFrom = b.modifiedFrom;
    this.modifiedBefore = b.modifiedBefore;
    this.minSize = b.minSize;
    this.maxSize = b.maxSize;
    this.types = b.types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(b.types));
    this.limit = b.limit;
    this.progress = b.progress;
  }

  /** A query for {@code pattern}, fuzzy by default. */
  public static Builder builder(String pattern) {
    return new Builder(pattern);
  }

  /** A fuzzy query over every snapshot with the defaults. */
  public static FindQuery of(String pattern) {
    return builder(pattern).build();
  }

  public String pattern() {
    return pattern;
  }

  public Mode mode() {
    return mode;
  }

  /** Snapshots to search, as {@code latest} or id prefixes; empty for all the other filters select. */
  public List<String> snapshots() {
    return snapshots;
  }

  /** Only snapshots of this host (ignoring case); null for every host. */
  public @Nullable String host() {
    return host;
  }

  /** Only entries below this absolute path inside the snapshots; empty for everything. */
  public String under() {
    return under;
  }

  /** Only snapshots taken at or after this time; null for no bound. */
  public @Nullable Instant takenFrom() {
    return takenFrom;
  }

  /** Only snapshots taken before this time; null for no bound. */
  public @Nullable Instant takenBefore() {
    return takenBefore;
  }

  /** Only versions modified at or after this time; null for no bound. */
  public @Nullable Instant modifiedFrom() {
    return modifiedFrom;
  }

  /** Only versions modified before this time; null for no bound. */
  public @Nullable Instant modifiedBefore() {
    return modifiedBefore;
  }

  /** Only versions at least this long (entries other than files have size 0). */
  public long minSize() {
    return minSize;
  }

  /** Only versions at most this long; {@link Long#MAX_VALUE} for no bound. */
  public long maxSize() {
    return maxSize;
  }

  /** Only these kinds of entries; empty for all. */
  public Set<FileType> types() {
    return types;
  }

  /** How many ranked results {@link FindResult#best()} holds. */
  public int limit() {
    return limit;
  }

  /** Receives progress while the name index is built. */
  public Consumer<Progress> progress() {
    return progress;
  }

  /** Builds a {@link FindQuery}. */
  public static final class Builder {
    private final String pattern;
    private Mode mode = Mode.FUZZY;
    private final List<String> snapshots = new ArrayList<>();
    private @Nullable String host;
    private String under = "";
    private @Nullable Instant takenFrom;
    private @Nullable Instant takenBefore;
    private @Nullable Instant modifiedFrom;
    private @Nullable Instant modifiedBefore;
    private long minSize;
    private long maxSize = Long.MAX_VALUE;
    private final Set<FileType> types = EnumSet.noneOf(FileType.class);
    private int limit = DEFAULT_LIMIT;
    private Consumer<Progress> progress = p -> { };

    private Builder(String pattern) {
      this.pattern = Objects.requireNonNull(pattern, "pattern");
    }

    public Builder mode(Mode value) {
      this.mode = Objects.requireNonNull(value);
      return this;
    }

    /** Adds a snapshot to search: {@code latest}, or 4 or more hex digits of its id. */
    public Builder snapshot(String reference) {
      snapshots.add(Objects.requireNonNull(reference));
      return this;
    }

    public Builder snapshots(List<String> references) {
      references.forEach(this::snapshot);
      return this;
    }

    public Builder host(@Nullable String value) {
      this.host = value;
      return this;
    }

    /** Only entries below this absolute path, such as {@code /home/me/docs}. */
    public Builder under(String path) {
      String p = path.strip();
      if (!p.isEmpty() && !p.startsWith("/")) {
        p = "/" + p;
      }
      while (p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      this.under = p;
      return this;
    }

    /** Only snapshots taken in {@code [from, before)}; either may be null for no bound. */
    public Builder taken(@Nullable Instant from, @Nullable Instant before) {
      this.takenFrom = from;
      this.takenBefore = before;
      return this;
    }

    /** Only versions modified in {@code [from, before)}; either may be null for no bound. */
    public Builder modified(@Nullable Instant from, @Nullable Instant before) {
      this.modifiedFrom = from;
      this.modifiedBefore = before;
      return this;
    }

    /** Only versions whose size is in {@code [min, max]}. */
    public Builder size(long min, long max) {
      if (min < 0 || max < min) {
        throw new IllegalArgumentException("size range " + min + ".." + max + " is empty or negative");
      }
      this.minSize = min;
      this.maxSize = max;
      return this;
    }

    public Builder types(Set<FileType> values) {
      types.clear();
      types.addAll(values);
      return this;
    }

    public Builder limit(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("limit must be at least 1, got " + value);
      }
      this.limit = value;
      return this;
    }

    public Builder progress(Consumer<Progress> listener) {
      this.progress = Objects.requireNonNull(listener);
      return this;
    }

    /**
     * Builds the query.
     *
     * @throws IllegalArgumentException if the pattern is empty or not a valid glob or regular expression
     */
    public FindQuery build() {
      Patterns.check(mode, pattern);
      return new FindQuery(this);
    }
  }
}
