package dev.bakare.internal.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when the retrier sleeps, and a fixed jitter: retries run instantly. */
final class FakeTiming {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final List<Duration> sleeps = new ArrayList<>();
  private final double jitter;

  FakeTiming(double jitter) {
    this.jitter = jitter;
  }

  RetryingBlobStore.Timing timing() {
    return new RetryingBlobStore.Timing(now::get, this::sleep, () -> jitter);
  }

  private synchronized void sleep(Duration duration) {
    sleeps.add(duration);
    now.addAndGet(duration.toNanos());
  }

  synchronized Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }

  void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
  }
}
