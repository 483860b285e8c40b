package dev.bakare;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How {@link Repository#prune} reclaims space. A prune deletes nothing it finds unreferenced at once: it
 * marks it (a tombstone), and a later prune deletes what is still unreferenced once every backup that
 * might have relied on it has finished or was judged abandoned. Build with {@link #builder()}.
 *
 * @param grace how long a tombstone waits before a prune may sweep it; 1 hour by default. Safety does not
 *     depend on it (backups and prunes decide through atomic claims); it gives slack before deletion
 * @param sessionExpiry how long a backup may go without a heartbeat before a prune judges it abandoned;
 *     1 hour by default. A backup paused longer (a suspended laptop) is not lost: when it resumes it
 *     stores again whatever was pruned meanwhile, then commits
 * @param lease how long a prune's claim on maintenance lasts unless renewed (a prune renews it between
 *     steps); another prune is refused while it holds. By default 30 minutes, or the session expiry if that
 *     is longer. It only keeps two prunes from doing the same work, so after a prune crashed, another may
 *     run with a short lease at once instead of waiting
 * @param maxUnused how much unused space may stay in partly used packs, as a share of the used space; 0.02
 *     by default. Packs are repacked, most unused first, until what stays is within it, so a prune returns
 *     nearly all garbage while copying as little as it can
 * @param dryRun report what would be marked and deleted, change nothing
 */
public record PruneRequest(Duration grace, Duration sessionExpiry, Duration lease, double maxUnused, boolean dryRun) {
  /** The shortest lease a prune takes unless told otherwise. */
  static final Duration DEFAULT_LEASE = Duration.ofMinutes(30);


  public PruneRequest {
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(sessionExpiry, "sessionExpiry");
    Objects.requireNonNull(lease, "lease");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, got " + grace);
    }
    if (sessionExpiry.isNegative() || sessionExpiry.isZero()) {
      throw new IllegalArgumentException("session expiry must be positive, got " + sessionExpiry);
    }
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive, got " + lease);
    }
    if (!(maxUnused >= 0 && maxUnused <= 1)) {
      throw new IllegalArgumentException("max unused must be within 0..1, got " + maxUnused);
    }
  }

  public static PruneRequest defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link PruneRequest}. */
  public static final class Builder {
    private Duration grace = Duration.ofHours(1);
    private Duration sessionExpiry = Duration.ofHours(1);
    private @Nullable Duration lease;
    private double maxUnused = 0.02;
    private boolean dryRun;

    private Builder() {}

    public Builder grace(Duration value) {
      this.grace = value;
      return this;
    }

    public Builder sessionExpiry(Duration value) {
      this.sessionExpiry = value;
      return this;
    }

    /** The lease; unset, it is 30 minutes or the session expiry, whichever is longer. */
    public Builder lease(Duration value) {
      this.lease = value;
      return this;
    }

    public Builder maxUnused(double value) {
      this.maxUnused = value;
      return this;
    }

    public Builder dryRun(boolean value) {
      this.dryRun = value;
      return this;
    }

    public PruneRequest build() {
      Duration chosen = lease;
      if (chosen == null) {
        chosen = sessionExpiry.compareTo(DEFAULT_LEASE) > 0 ? sessionExpiry : DEFAULT_LEASE;
      }
      return new PruneRequest(grace, sessionExpiry, chosen, maxUnused, dryRun);
    }
  }
}
