package dev.bakare.internal.prune;

import dev.bakare.ForgetPolicy;
import dev.bakare.ForgetResult;
import dev.bakare.Snapshot;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** Applies a {@link ForgetPolicy} to snapshots: a pure function, so it is tested without a repository. */
public final class Retention {
  private Retention() {}

  /** The decision: what to keep (and why) and what to forget, among the snapshots the filters select. */
  public record Decision(List<ForgetResult.Kept> keep, List<Snapshot> forget) {}

  public static Decision apply(ForgetPolicy policy, List<Snapshot> snapshots, ZoneId zone) {
    Map<String, List<Snapshot>> groups = new LinkedHashMap<>();
    for (Snapshot s : snapshots) {
      if (selected(policy, s)) {
        groups.computeIfAbsent(s.host() + "\u0000" + String.join("\u0000", s.paths()), k -> new ArrayList<>()).add(s);
      }
    }
    List<ForgetResult.Kept> keep = new ArrayList<>();
    List<Snapshot> forget = new ArrayList<>();
    for (List<Snapshot> group : groups.values()) {
      group.sort(Comparator.comparing(Snapshot::time).reversed().thenComparing(Snapshot::id));
      List<Bucket> buckets = List.of(
          new Bucket("hourly", policy.keepHourly(), t -> t.getYear() * 1_000_000L + t.getDayOfYear() * 100L + t.getHour()),
          new Bucket("daily", policy.keepDaily(), t -> t.getYear() * 1000L + t.getDayOfYear()),
          new Bucket("weekly", policy.keepWeekly(),
              t -> t.get(IsoFields.WEEK_BASED_YEAR) * 100L + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)),
          new Bucket("monthly", policy.keepMonthly(), t -> t.getYear() * 100L + t.getMonthValue()),
          new Bucket("yearly", policy.keepYearly(), t -> (long) t.getYear()));
      int last = policy.keepLast();
      java.time.Instant newest = group.get(0).time();
      for (Snapshot s : group) {
        List<String> reasons = new ArrayList<>();
        if (last > 0) {
          last--;
          reasons.add("last");
        }
        ZonedDateTime time = s.time().atZone(zone);
        for (Bucket b : buckets) {
          if (b.takes(time)) {
            reasons.add(b.name);
          }
        }
        if (policy.keepWithin() != null && !s.time().isBefore(newest.minus(policy.keepWithin()))) {
          reasons.add("within " + policy.keepWithin());
        }
        for (String tag : policy.keepTags()) {
          if (s.tags().contains(tag)) {
            reasons.add("tag " + tag);
          }
        }
        if (reasons.isEmpty()) {
          forget.add(s);
        } else {
          keep.add(new ForgetResult.Kept(s, reasons));
        }
      }
    }
    return new Decision(keep, forget);
  }

  private static boolean selected(ForgetPolicy policy, Snapshot s) {
    return (policy.hosts().isEmpty() || policy.hosts().contains(s.host()))
        && (policy.tags().isEmpty() || s.tags().stream().anyMatch(policy.tags()::contains))
        && (policy.paths().isEmpty() || s.paths().stream().anyMatch(policy.paths()::contains));
  }

  /** Keeps the newest snapshot of each of the last {@code remaining} periods that have one. */
  private static final class Bucket {
    private final String name;
    private final Function<ZonedDateTime, Long> period;
    private int remaining;
    private Long lastPeriod;

    Bucket(String name, int count, Function<ZonedDateTime, Long> period) {
      this.name = name;
      this.remaining = count;
      this.period = period;
    }

    boolean takes(ZonedDateTime time) {
      if (remaining == 0) {
        return false;
      }
      Long p = period.apply(time);
      if (Objects.equals(p, lastPeriod)) {
        return false;
      }
      lastPeriod = p;
      remaining--;
      return true;
    }
  }
}
