package dev.bakare;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The true time of a simulation, which only the scheduler moves (between storage operations, while no
 * actor runs). The store stamps blobs with it; each actor sees it through a {@link Skewed} clock of its own.
 */
final class SimTime {
  private final AtomicLong millis;

  SimTime(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  long millis() {
    return millis.get();
  }

  /** The store's clock: the true time. */
  Clock clock() {
    return new Skewed(this, 0);
  }

  /** An actor's clock: the true time plus an offset the scheduler may change (within its bound). */
  static final class Skewed extends Clock {
    private final SimTime time;
    private volatile long offsetMillis;

    Skewed(SimTime time, long offsetMillis) {
      this.time = time;
      this.offsetMillis = offsetMillis;
    }

    void offset(long millis) {
      this.offsetMillis = millis;
    }

    long offsetMillis() {
      return offsetMillis;
    }

    @Override
    public long millis() {
      return time.millis() + offsetMillis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
