package dev.bakare.internal.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RetryingBlobStore} retries: exponential backoff with full jitter between {@code initialDelay}
 * and {@code maxDelay}, bounded by two clocks.
 *
 * @param initialDelay the upper bound of the first wait; each retry doubles the bound, and the wait is
 *     drawn uniformly below it (full jitter), so that many clients failing together do not retry together
 * @param maxDelay the largest bound a wait is drawn below
 * @param operationDeadline the longest one operation keeps retrying, even while other operations succeed
 *     (a blob whose upload is cut every time)
 * @param outageTolerance the longest the store may fail continuously, every operation, before operations
 *     give up: the time since the first failure after the last success of any operation
 */
public record RetryPolicy(
    Duration initialDelay, Duration maxDelay, Duration operationDeadline, Duration outageTolerance) {

  /** Ten minutes: a router restart, a Wi-Fi hand-over or a server fail-over fits in it. */
  public static final Duration DEFAULT_OUTAGE_TOLERANCE = Duration.ofMinutes(10);

  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
  public static final Duration DEFAULT_OPERATION_DEADLINE = Duration.ofMinutes(30);

  public RetryPolicy {
    requirePositive(initialDelay, "initialDelay");
    requirePositive(maxDelay, "maxDelay");
    requirePositive(operationDeadline, "operationDeadline");
    Objects.requireNonNull(outageTolerance, "outageTolerance");
    if (outageTolerance.isNegative()) {
      throw new IllegalArgumentException("outageTolerance must not be negative, got " + outageTolerance);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay " + maxDelay + " is shorter than initialDelay " + initialDelay + ": give a larger maxDelay");
    }
  }

  /** The defaults: 200 ms doubling to 30 s, 30 minutes per operation, 10 minutes of outage. */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** Builds a {@link RetryPolicy}, starting from the defaults. */
  public static final class Builder {
    private Duration initialDelay = DEFAULT_INITIAL_DELAY;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private Duration operationDeadline = DEFAULT_OPERATION_DEADLINE;
    private Duration outageTolerance = DEFAULT_OUTAGE_TOLERANCE;

    private Builder() {}

    public Builder initialDelay(Duration value) {
      this.initialDelay = value;
      return this;
    }

    public Builder maxDelay(Duration value) {
      this.maxDelay = value;
      return this;
    }

    public Builder operationDeadline(Duration value) {
      this.operationDeadline = value;
      return this;
    }

    /** Zero gives up at the first transient failure: no retries. */
    public Builder outageTolerance(Duration value) {
      this.outageTolerance = value;
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(initialDelay, maxDelay, operationDeadline, outageTolerance);
    }
  }
}
