package dev.bakare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which snapshots {@link Repository#forget(ForgetPolicy, boolean)} keeps, as restic users know it.
 * Snapshots are grouped by host and paths; within each group, newest first, a snapshot is kept if any rule
 * keeps it: one of the last {@code keepLast}; the newest in each of the last {@code keepHourly} hours (and
 * days, ISO weeks, months, years) that have snapshots, in this machine's time zone; within {@code
 * keepWithin} of the group's newest; or carrying one of {@code keepTags}. Snapshots outside the filters
 * ({@code hosts}, {@code tags}, {@code paths}; empty means all) are neither kept nor forgotten: they are
 * left alone. Build with {@link #builder()}.
 */
public record ForgetPolicy(
    int keepLast,
    int keepHourly,
    int keepDaily,
    int keepWeekly,
    int keepMonthly,
    int keepYearly,
    @Nullable Duration keepWithin,
    List<String> keepTags,
    List<String> hosts,
    List<String> tags,
    List<String> paths) {

  public ForgetPolicy {
    for (int n : new int[] {keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly}) {
      if (n < 0) {
        throw new IllegalArgumentException("keep counts must not be negative, got " + n);
      }
    }
    if (keepWithin != null && keepWithin.isNegative()) {
      throw new IllegalArgumentException("keepWithin must not be negative, got " + keepWithin);
    }
    keepTags = List.copyOf(keepTags);
    hosts = List.copyOf(hosts);
    tags = List.copyOf(tags);
    paths = List.copyOf(paths);
  }

  /** Whether any rule keeps anything; a policy without one would forget every snapshot it selects. */
  public boolean keepsSomething() {
    return keepLast + keepHourly + keepDaily + keepWeekly + keepMonthly + keepYearly > 0 || keepWithin != null
        || !keepTags.isEmpty();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ForgetPolicy}. */
  public static final class Builder {
    private int keepLast;
    private int keepHourly;
    private int keepDaily;
    private int keepWeekly;
    private int keepMonthly;
    private int keepYearly;
    private @Nullable Duration keepWithin;
    private final List<String> keepTags = new ArrayList<>();
    private final List<String> hosts = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();

    private Builder() {}

    public Builder keepLast(int n) {
      this.keepLast = n;
      return this;
    }

    public Builder keepHourly(int n) {
      this.keepHourly = n;
      return this;
    }

    public Builder keepDaily(int n) {
      this.keepDaily = n;
      return this;
    }

    public Builder keepWeekly(int n) {
      this.keepWeekly = n;
      return this;
    }

    public Builder keepMonthly(int n) {
      this.keepMonthly = n;
      return this;
    }

    public Builder keepYearly(int n) {
      this.keepYearly = n;
      return this;
    }

    public Builder keepWithin(Duration d) {
      this.keepWithin = Objects.requireNonNull(d);
      return this;
    }

    public Builder keepTag(String tag) {
      keepTags.add(tag);
      return this;
    }

    public Builder host(String host) {
      hosts.add(host);
      return this;
    }

    public Builder tag(String tag) {
      tags.add(tag);
      return this;
    }

    public Builder path(String path) {
      paths.add(path);
      return this;
    }

    public ForgetPolicy build() {
      return new ForgetPolicy(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin,
          keepTags, hosts, tags, paths);
    }
  }
}
