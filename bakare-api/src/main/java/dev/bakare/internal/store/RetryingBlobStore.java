package dev.bakare.internal.store;

import dev.bakare.internal.cache.CacheFiles;
import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.ForwardingBlobStore;
import dev.bakare.store.spi.ForwardingStagedBlob;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StagedBlob;
import dev.bakare.store.spi.StorageException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Retries the transient failures ({@link StorageException#isTransient()}) of a store, once for every
 * caller: exponential backoff with full jitter, within a deadline per operation and an outage tolerance
 * (see {@link RetryPolicy}). Permanent failures, {@link IllegalArgumentException}s and {@link
 * IllegalStateException}s pass through at once.
 *
 * <p>Retrying is safe because every operation is idempotent or made so here:
 *
 * <ul>
 *   <li>A put retried after a failure whose outcome is unknown may find its own blob: a {@link
 *       PutMode#REPLACE} put writes the same bytes again; a {@link PutMode#CREATE_ONLY} put that then
 *       meets {@link BlobAlreadyExistsException} reads the existing blob and succeeds if it holds exactly
 *       the bytes being put (that outcome cannot be told from the first attempt having succeeded),
 *       and fails with the exception otherwise.
 *   <li>A listing retried after it reported some blobs reports only the blobs it has not reported yet, so
 *       each is still reported once.
 *   <li>Gets, stats and deletes are idempotent.
 * </ul>
 *
 * <p>Each retry is logged at DEBUG; a failure lasting longer than {@link #LONG_OUTAGE} is logged once at
 * WARNING, so that a user sees why a backup stalls; {@link #close()} logs a summary at INFO when there
 * were retries. The counters are readable at any time.
 */
public final class RetryingBlobStore extends ForwardingBlobStore {
  private static final System.Logger LOG = System.getLogger(RetryingBlobStore.class.getName());

  /** After failing this long without a success, the store says so at WARNING. */
  static final Duration LONG_OUTAGE = Duration.ofSeconds(30);

  private static final long NO_OUTAGE = Long.MIN_VALUE;

  /** The kinds of operation counted; a range get is a {@link #GET}. */
  public enum Operation {
    OPEN,
    PUT,
    GET,
    STAT,
    LIST,
    DELETE
  }

  /** Opens a store; what {@link #open} retries. */
  @FunctionalInterface
  public interface Opener {
    BlobStore open() throws StorageException;
  }

  /** Waits between attempts: the seam that lets tests run without sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    /** Sleeps with {@link TimeUnit#sleep}. */
    Sleeper REAL = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());

    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * The clock, sleeper and jitter source (uniform in [0, 1)): real ones in production, fakes in tests.
   */
  record Timing(LongSupplier nanoTime, Sleeper sleeper, DoubleSupplier jitter) {
    /**
     * {@link System#nanoTime()} stops while a machine is suspended, so a suspended laptop resumes with
     * its outage tolerance intact instead of giving up at once.
     */
    static final Timing REAL =
        new Timing(System::nanoTime, Sleeper.REAL, () -> ThreadLocalRandom.current().nextDouble());
  }

  private final RetryPolicy policy;
  private final Timing timing;
  private final Retrier retrier;
  private final AtomicBoolean summarized = new AtomicBoolean();

  public RetryingBlobStore(BlobStore delegate, RetryPolicy policy) {
    this(delegate, policy, Timing.REAL, new Counters());
  }

  RetryingBlobStore(BlobStore delegate, RetryPolicy policy, Timing timing) {
    this(delegate, policy, timing, new Counters());
  }

  private RetryingBlobStore(BlobStore delegate, RetryPolicy policy, Timing timing, Counters counters) {
    super(delegate);
    this.policy = policy;
    this.timing = timing;
    this.retrier = new Retrier(policy, timing, counters);
  }

  /**
   * Opens a store with {@code opener}, retrying its transient failures (a server not reachable yet) by
   * {@code policy}, and wraps it. The open's retries count as {@link Operation#OPEN}.
   */
  public static RetryingBlobStore open(Opener opener, RetryPolicy policy) throws StorageException {
    return open(opener, policy, Timing.REAL);
  }

  static RetryingBlobStore open(Opener opener, RetryPolicy policy, Timing timing) throws StorageException {
    Counters counters = new Counters();
    Retrier retrier = new Retrier(policy, timing, counters);
    BlobStore store = retrier.run(Operation.OPEN, "opening the store", "the repository location", opener::open);
    return new RetryingBlobStore(store, policy, timing, counters);
  }

  /** The policy retries follow. */
  public RetryPolicy policy() {
    return policy;
  }

  /** How many times operations of this kind were retried. */
  public long retries(Operation operation) {
    return retrier.counters.retries.get(operation).get();
  }

  /** How many retries there were, of every kind. */
  public long retries() {
    long total = 0;
    for (Operation operation : Operation.values()) {
      total += retries(operation);
    }
    return total;
  }

  /** How many operations of this kind gave up: a permanent failure after transient ones, or time ran out. */
  public long gaveUp(Operation operation) {
    return retrier.counters.gaveUp.get(operation).get();
  }

  /**
   * How many create-only puts met their own blob on a retry (the first attempt's answer was lost) and
   * succeeded for that reason.
   */
  public long createsFoundDone() {
    return retrier.counters.createsFoundDone.get();
  }

  /** One line: the retries by kind, the operations that gave up, creates found done. */
  public String summary() {
    StringJoiner byKind = new StringJoiner(", ");
    StringJoiner gaveUp = new StringJoiner(", ");
    for (Operation operation : Operation.values()) {
      if (retries(operation) > 0) {
        byKind.add(operation.name().toLowerCase(Locale.ROOT) + " " + retries(operation));
      }
      if (gaveUp(operation) > 0) {
        gaveUp.add(operation.name().toLowerCase(Locale.ROOT) + " " + gaveUp(operation));
      }
    }
    return "storage retries for " + describe() + ": " + retries() + (retries() > 0 ? " (" + byKind + ")" : "")
        + "; gave up: " + (gaveUp.length() == 0 ? "none" : gaveUp.toString())
        + "; create-only puts found done on retry: " + createsFoundDone();
  }

  // ---------------------------------------------------------------- operations

  @Override
  public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
    putWithRetries(name, () -> delegate().put(name, content, mode), () -> holdsExactly(name, content));
  }

  @Override
  public void putFrom(BlobName name, FileChannel source, long length, PutMode mode) throws StorageException {
    putWithRetries(name, () -> delegate().putFrom(name, source, length, mode), () -> holdsExactly(name, source, length));
  }

  /** The delegate's staging (made with retries), each staged blob published with retries as puts are. */
  @Override
  public Optional<StagedBlob> stage() throws StorageException {
    Optional<StagedBlob> staged =
        retrier.run(Operation.PUT, "creating a file to stage a blob", describe(), () -> delegate().stage());
    return staged.map(RetryingStagedBlob::new);
  }

  /** A staged blob whose publishing is retried; a create-only retry that finds its own bytes succeeds. */
  private final class RetryingStagedBlob extends ForwardingStagedBlob {
    RetryingStagedBlob(StagedBlob staged) {
      super(staged);
    }

    @Override
    public void publish(BlobName name, PutMode mode) throws StorageException {
      putWithRetries(name, () -> super.publish(name, mode), () -> holdsExactly(name, channel(), stagedSize(name)));
    }

    private long stagedSize(BlobName name) throws StorageException {
      try {
        return channel().size();
      } catch (java.io.IOException e) {
        throw new StorageException("cannot read the size of the staged file of blob " + name + ": " + e.getMessage(), e);
      }
    }
  }

  @FunctionalInterface
  private interface PutAttempt {
    void run() throws StorageException;
  }

  /**
   * Runs {@code attempt} with retries. A create-only put that finds its name taken after an attempt failed
   * succeeds if {@code holdsOwnBytes} says the blob is exactly what was being put (that failed attempt had
   * succeeded, only its answer was lost).
   */
  private void putWithRetries(BlobName name, PutAttempt attempt, Attempt<Boolean> holdsOwnBytes)
      throws StorageException {
    AtomicBoolean failedBefore = new AtomicBoolean();
    retrier.run(Operation.PUT, "writing blob " + name, describe(), () -> {
      try {
        attempt.run();
      } catch (BlobAlreadyExistsException e) {
        if (!failedBefore.get() || !holdsOwnBytes.call()) {
          throw e;
        }
        retrier.counters.createsFoundDone.incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, () -> "create-only put of " + name + " in " + describe()
            + " found its own bytes after a failed attempt: the first attempt had succeeded");
      } catch (StorageException | RuntimeException e) {
        failedBefore.set(true);
        throw e;
      }
      return null;
    });
  }

  /** Whether the stored blob has exactly {@code content}'s remaining bytes; read with retries. */
  private boolean holdsExactly(BlobName name, ByteBuffer content) throws StorageException {
    return storedIfSized(name, content.remaining()).map(content::equals).orElse(false);
  }

  /** Whether the stored blob has exactly the first {@code length} bytes of {@code source}. */
  private boolean holdsExactly(BlobName name, FileChannel source, long length) throws StorageException {
    Optional<ByteBuffer> stored = storedIfSized(name, length);
    if (stored.isEmpty()) {
      return false;
    }
    ByteBuffer expected = ByteBuffer.allocate(stored.get().remaining());
    try {
      if (!CacheFiles.readFully(source, 0, expected)) {
        return false;
      }
    } catch (java.io.IOException e) {
      throw new StorageException("cannot read the source file of blob " + name + " to compare it with the stored blob: "
          + e.getMessage(), e);
    }
    return expected.flip().equals(stored.get());
  }

  /** The stored blob, if it exists with exactly {@code size} bytes; read with retries. */
  private Optional<ByteBuffer> storedIfSized(BlobName name, long size) throws StorageException {
    Optional<BlobInfo> info =
        retrier.run(Operation.STAT, "reading the size of blob " + name, describe(), () -> delegate().stat(name));
    if (info.isEmpty() || info.get().size() != size) {
      return Optional.empty();
    }
    return Optional.of(retrier.run(Operation.GET, "reading blob " + name, describe(), () -> delegate().get(name)));
  }

  @Override
  public ByteBuffer get(BlobName name) throws StorageException {
    return retrier.run(Operation.GET, "reading blob " + name, describe(), () -> delegate().get(name));
  }

  @Override
  public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
    return retrier.run(
        Operation.GET,
        "reading " + length + " bytes at offset " + offset + " of blob " + name,
        describe(),
        () -> delegate().get(name, offset, length));
  }

  @Override
  public void read(BlobName name, long offset, ByteBuffer into) throws StorageException {
    int start = into.position();
    retrier.run(
        Operation.GET,
        "reading " + into.remaining() + " bytes at offset " + offset + " of blob " + name,
        describe(),
        () -> {
          // An attempt that failed halfway advanced the buffer: the next one starts over.
          into.position(start);
          delegate().read(name, offset, into);
          return null;
        });
  }

  @Override
  public Optional<BlobInfo> stat(BlobName name) throws StorageException {
    return retrier.run(Operation.STAT, "reading the size of blob " + name, describe(), () -> delegate().stat(name));
  }

  @Override
  public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
    // An attempt that failed halfway reported some blobs already; the next reports only the others.
    Set<BlobName> reported = new HashSet<>();
    retrier.run(Operation.LIST, "listing blobs under '" + prefix + "'", describe(), () -> {
      delegate().list(prefix, info -> {
        if (reported.add(info.name())) {
          consumer.accept(info);
        }
      });
      return null;
    });
  }

  @Override
  public void delete(BlobName name) throws StorageException {
    retrier.run(Operation.DELETE, "deleting blob " + name, describe(), () -> {
      delegate().delete(name);
      return null;
    });
  }

  /** Closes the store, logging the retry summary at INFO if there were retries. */
  @Override
  public void close() throws StorageException {
    if (summarized.compareAndSet(false, true) && (retries() > 0 || createsFoundDone() > 0)) {
      LOG.log(System.Logger.Level.INFO, summary());
    }
    super.close();
  }

  // ---------------------------------------------------------------- the retry loop

  private static final class Counters {
    final Map<Operation, AtomicLong> retries = new EnumMap<>(Operation.class);
    final Map<Operation, AtomicLong> gaveUp = new EnumMap<>(Operation.class);
    final AtomicLong createsFoundDone = new AtomicLong();
    /** When the current outage began (the first failure since the last success), or {@link #NO_OUTAGE}. */
    final AtomicLong outageStart = new AtomicLong(NO_OUTAGE);
    final AtomicBoolean outageReported = new AtomicBoolean();

    Counters() {
      for (Operation operation : Operation.values()) {
        retries.put(operation, new AtomicLong());
        gaveUp.put(operation, new AtomicLong());
      }
    }
  }

  @FunctionalInterface
  private interface Attempt<T> {
    T call() throws StorageException;
  }

  private static final class Retrier {
    private final RetryPolicy policy;
    private final Timing timing;
    final Counters counters;

    Retrier(RetryPolicy policy, Timing timing, Counters counters) {
      this.policy = policy;
      this.timing = timing;
      this.counters = counters;
    }

    <T> T run(Operation operation, String action, String where, Attempt<T> attempt) throws StorageException {
      long start = timing.nanoTime().getAsLong();
      for (int attempts = 1; ; attempts++) {
        StorageException failure;
        try {
          T result = attempt.call();
          counters.outageStart.set(NO_OUTAGE);
          counters.outageReported.set(false);
          return result;
        } catch (StorageException e) {
          if (!e.isTransient()) {
            if (attempts > 1) {
              counters.gaveUp.get(operation).incrementAndGet();
            }
            throw e;
          }
          failure = e;
        }
        long now = timing.nanoTime().getAsLong();
        counters.outageStart.compareAndSet(NO_OUTAGE, now);
        long outageStart = counters.outageStart.get();
        long failingFor = outageStart == NO_OUTAGE ? 0 : Math.max(0, now - outageStart);
        long operationLeft = policy.operationDeadline().toNanos() - (now - start);
        long outageLeft = policy.outageTolerance().toNanos() - failingFor;
        long left = Math.min(operationLeft, outageLeft);
        if (left <= 0) {
          counters.gaveUp.get(operation).incrementAndGet();
          throw giveUp(action, where, attempts, now - start, failingFor, operationLeft <= 0, failure);
        }
        long bound = backoffBound(attempts);
        long delay = Math.min(left, (long) (timing.jitter().getAsDouble() * bound));
        counters.retries.get(operation).incrementAndGet();
        int next = attempts + 1;
        LOG.log(System.Logger.Level.DEBUG, () -> "retrying " + action + " in " + where + " in "
            + Duration.ofNanos(delay).toMillis() + " ms (attempt " + next + "): " + failure.getMessage());
        if (failingFor >= LONG_OUTAGE.toNanos() && counters.outageReported.compareAndSet(false, true)) {
          LOG.log(System.Logger.Level.WARNING, "storage " + where + " has been failing for "
              + Duration.ofNanos(failingFor).toSeconds() + " s; retrying for up to " + policy.outageTolerance()
              .toMinutes() + " min in all: " + failure.getMessage());
        }
        try {
          timing.sleeper().sleep(Duration.ofNanos(delay));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          StorageException interrupted = new StorageException(
              "interrupted while waiting to retry " + action + " in " + where + ": the operation was abandoned", e);
          interrupted.addSuppressed(failure);
          throw interrupted;
        }
      }
    }

    /** The bound the wait before attempt {@code attempts + 1} is drawn below: doubling, capped. */
    private long backoffBound(int attempts) {
      long initial = policy.initialDelay().toNanos();
      long max = policy.maxDelay().toNanos();
      int doublings = Math.min(attempts - 1, 62);
      if (initial > (max >> doublings)) {
        return max;
      }
      return Math.min(max, initial << doublings);
    }

    private StorageException giveUp(
        String action, String where, int attempts, long elapsed, long failingFor, boolean deadline,
        StorageException last) {
      String why = deadline
          ? "the operation kept failing for " + seconds(elapsed) + " (deadline " + policy.operationDeadline() + ")"
          : "the store has been failing for " + seconds(failingFor) + " (outage tolerance "
              + policy.outageTolerance() + ")";
      // Permanent now: retrying is what was just given up, and no outer layer should start over.
      return new StorageException(
          "gave up " + action + " in " + where + " after " + attempts + " attempts: " + why
              + ": check the network and the storage service, then run again (finished work is kept); last error: "
              + last.getMessage(),
          last);
    }

    private static String seconds(long nanos) {
      return Duration.ofNanos(nanos).toSeconds() + " s";
    }
  }
}
