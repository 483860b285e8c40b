package dev.bakare.store.testkit;

import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.ForwardingBlobStore;
import dev.bakare.store.spi.ForwardingStagedBlob;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StagedBlob;
import dev.bakare.store.spi.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a store to make it fail on purpose, for tests of retries, crash handling and concurrency.
 *
 * <p>Per {@link Operation}, a {@link Config} sets the probability of a transient failure <em>before</em>
 * the operation reaches the store (nothing happened) and <em>after</em> it ran (it took effect, but the
 * caller never hears so: the ambiguous case a retrying caller must handle), and chosen names or prefixes
 * fail permanently. Random draws come from one generator seeded by {@link Config#seed()}: every
 * operation draws exactly twice, whatever the configuration decides, so the same seed and the same
 * sequence of operations inject the same faults. Threads that race make the sequence theirs;
 * an {@link Interceptor} that lets one operation through at a time makes it replayable again.
 *
 * <p>The {@link Interceptor} runs before and after every operation on the calling thread. It may throw
 * to fail the operation, or block, which lets a deterministic simulation pause an actor between any two
 * storage operations.
 */
public final class FaultInjectingBlobStore extends ForwardingBlobStore {

  /** The kinds of operation that faults are configured for. A range get is a {@link #GET}. */
  public enum Operation {
    PUT,
    GET,
    STAT,
    LIST,
    DELETE
  }

  /**
   * Sees every operation before it reaches the store and after it returned. {@code subject} is the blob
   * name, or for {@link Operation#LIST} the prefix.
   */
  public interface Interceptor {
    /** An interceptor that does nothing. */
    Interceptor NONE = new Interceptor() {};

    /**
     * Called before any fault is drawn or the store is called. Throwing fails the operation without
     * running it; blocking holds the caller here. An {@link InterruptedException} fails the operation
     * with a permanent {@link StorageException} and leaves the thread interrupted.
     */
    default void before(Operation operation, String subject) throws StorageException, InterruptedException {}

    /**
     * Called after the store returned, before any fault injected after the operation. {@code failure}
     * is what the store threw, or null if it succeeded; when it is not null, whatever this method throws
     * is attached to it as suppressed and the store's failure propagates.
     */
    default void after(Operation operation, String subject, @Nullable Exception failure)
        throws StorageException, InterruptedException {}
  }

  private final Config config;
  private final SplittableRandom random;
  private final AtomicLong injected = new AtomicLong();
  private final Map<Operation, AtomicLong> injectedByOperation = new EnumMap<>(Operation.class);

  public FaultInjectingBlobStore(BlobStore delegate, Config config) {
    super(delegate);
    this.config = config;
    this.random = new SplittableRandom(config.seed());
    for (Operation operation : Operation.values()) {
      injectedByOperation.put(operation, new AtomicLong());
    }
  }

  /** The configuration this store injects faults by. */
  public Config config() {
    return config;
  }

  /** How many faults this store has injected so far, of every kind. */
  public long injectedFaults() {
    return injected.get();
  }

  /** How many faults this store has injected so far into {@code operation}. */
  public long injectedFaults(Operation operation) {
    return injectedByOperation.get(operation).get();
  }

  @Override
  public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
    run(Operation.PUT, name.value(), () -> {
      super.put(name, content, mode);
      return null;
    });
  }

  @Override
  public ByteBuffer get(BlobName name) throws StorageException {
    return run(Operation.GET, name.value(), () -> super.get(name));
  }

  @Override
  public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
    return run(Operation.GET, name.value(), () -> super.get(name, offset, length));
  }

  @Override
  public Optional<BlobInfo> stat(BlobName name) throws StorageException {
    return run(Operation.STAT, name.value(), () -> super.stat(name));
  }

  @Override
  public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
    run(Operation.LIST, prefix, () -> {
      super.list(prefix, consumer);
      return null;
    });
  }

  @Override
  public void delete(BlobName name) throws StorageException {
    run(Operation.DELETE, name.value(), () -> {
      super.delete(name);
      return null;
    });
  }

  /**
   * The delegate's staging, if it stages: publishing a staged blob is a {@link Operation#PUT} of its name,
   * with the faults and the interceptor of puts. Making the staged file is not faulted.
   */
  @Override
  public Optional<StagedBlob> stage() throws StorageException {
    return delegate().stage().map(FaultyStagedBlob::new);
  }

  private final class FaultyStagedBlob extends ForwardingStagedBlob {
    FaultyStagedBlob(StagedBlob staged) {
      super(staged);
    }

    @Override
    public void publish(BlobName name, PutMode mode) throws StorageException {
      run(Operation.PUT, name.value(), () -> {
        super.publish(name, mode);
        return null;
      });
    }
  }

  @FunctionalInterface
  private interface StoreCall<T> {
    T call() throws StorageException;
  }

  private <T> T run(Operation operation, String subject, StoreCall<T> call) throws StorageException {
    try {
      config.interceptor().before(operation, subject);
    } catch (InterruptedException e) {
      throw interrupted(operation, subject, e);
    }
    boolean failBefore;
    boolean failAfter;
    synchronized (random) {
      failBefore = random.nextDouble() < config.transientBefore(operation);
      failAfter = random.nextDouble() < config.transientAfter(operation);
    }
    if (config.failsPermanently(operation, subject)) {
      throw inject(operation, subject, false, "permanent failure (configured for this name)");
    }
    if (failBefore) {
      throw inject(operation, subject, true, "transient failure before the operation ran (it did not happen)");
    }
    T result;
    try {
      result = call.call();
    } catch (StorageException | RuntimeException e) {
      notifyAfterFailure(operation, subject, e);
      throw e;
    }
    try {
      config.interceptor().after(operation, subject, null);
    } catch (InterruptedException e) {
      throw interrupted(operation, subject, e);
    }
    if (failAfter) {
      throw inject(
          operation, subject, true, "transient failure after the operation ran (it took effect; the answer was lost)");
    }
    return result;
  }

  private void notifyAfterFailure(Operation operation, String subject, Exception failure) {
    try {
      config.interceptor().after(operation, subject, failure);
    } catch (StorageException | RuntimeException e) {
      failure.addSuppressed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.addSuppressed(e);
    }
  }

  private StorageException inject(Operation operation, String subject, boolean transientFailure, String what) {
    long number = injected.incrementAndGet();
    injectedByOperation.get(operation).incrementAndGet();
    return new StorageException(
        "injected "
            + what
            + ": "
            + operation
            + " of "
            + subject(operation, subject)
            + " in "
            + describe()
            + " (fault #"
            + number
            + " of seed "
            + config.seed()
            + ")",
        null,
        transientFailure);
  }

  private StorageException interrupted(Operation operation, String subject, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new StorageException(
        "interrupted while the interceptor held "
            + operation
            + " of "
            + subject(operation, subject)
            + " in "
            + describe()
            + ": the operation did not run",
        e);
  }

  private static String subject(Operation operation, String subject) {
    return operation == Operation.LIST ? "prefix '" + subject + "'" : "blob " + subject;
  }

  /** What to inject, fixed when built. */
  public static final class Config {
    private final long seed;
    private final Map<Operation, Double> transientBefore;
    private final Map<Operation, Double> transientAfter;
    private final List<PermanentFault> permanentFaults;
    private final Interceptor interceptor;

    private Config(Builder builder) {
      this.seed = builder.seed;
      this.transientBefore = new EnumMap<>(builder.transientBefore);
      this.transientAfter = new EnumMap<>(builder.transientAfter);
      this.permanentFaults = List.copyOf(builder.permanentFaults);
      this.interceptor = builder.interceptor;
    }

    /** A builder that injects nothing until told; {@code seed} seeds the random draws. */
    public static Builder builder(long seed) {
      return new Builder(seed);
    }

    public long seed() {
      return seed;
    }

    /** The probability of a transient failure before {@code operation} runs. */
    public double transientBefore(Operation operation) {
      return transientBefore.getOrDefault(operation, 0.0);
    }

    /** The probability of a transient failure after {@code operation} ran. */
    public double transientAfter(Operation operation) {
      return transientAfter.getOrDefault(operation, 0.0);
    }

    public Interceptor interceptor() {
      return interceptor;
    }

    /**
     * Whether {@code operation} on {@code subject} fails permanently. A listing fails when it could
     * report a blob configured to fail.
     */
    public boolean failsPermanently(Operation operation, String subject) {
      for (PermanentFault fault : permanentFaults) {
        if (fault.matches(operation, subject)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return "seed "
          + seed
          + ", transient before "
          + transientBefore
          + ", transient after "
          + transientAfter
          + ", permanent "
          + permanentFaults;
    }

    /** Collects a {@link Config}; each setting replaces an earlier one for the same operation. */
    public static final class Builder {
      private final long seed;
      private final Map<Operation, Double> transientBefore = new EnumMap<>(Operation.class);
      private final Map<Operation, Double> transientAfter = new EnumMap<>(Operation.class);
      private final List<PermanentFault> permanentFaults = new ArrayList<>();
      private Interceptor interceptor = Interceptor.NONE;

      private Builder(long seed) {
        this.seed = seed;
      }

      /** Fails {@code operations} (none given: every operation) transiently, before they run. */
      public Builder transientBefore(double probability, Operation... operations) {
        return setProbability(transientBefore, probability, operations);
      }

      /**
       * Fails {@code operations} (none given: every operation) transiently after they ran: the store
       * changed, the caller sees a failure.
       */
      public Builder transientAfter(double probability, Operation... operations) {
        return setProbability(transientAfter, probability, operations);
      }

      /** Fails {@code operations} (none given: every operation) on exactly this blob, permanently. */
      public Builder failPermanently(BlobName name, Operation... operations) {
        permanentFaults.add(new PermanentFault(name.value(), true, operationSet(operations)));
        return this;
      }

      /**
       * Fails {@code operations} (none given: every operation) on every blob whose name starts with
       * {@code prefix}, permanently.
       *
       * @throws IllegalArgumentException if {@code prefix} is not a valid blob name prefix
       */
      public Builder failPermanentlyUnder(String prefix, Operation... operations) {
        permanentFaults.add(new PermanentFault(BlobName.checkPrefix(prefix), false, operationSet(operations)));
        return this;
      }

      /** Sets the interceptor called around every operation (by default, none). */
      public Builder interceptor(Interceptor interceptor) {
        this.interceptor = interceptor;
        return this;
      }

      public Config build() {
        return new Config(this);
      }

      private Builder setProbability(Map<Operation, Double> target, double probability, Operation... operations) {
        if (!(probability >= 0.0 && probability <= 1.0)) {
          throw new IllegalArgumentException(
              "fault probability " + probability + " for " + operationSet(operations) + " is not between 0 and 1");
        }
        for (Operation operation : operationSet(operations)) {
          target.put(operation, probability);
        }
        return this;
      }

      private static Set<Operation> operationSet(Operation... operations) {
        return operations.length == 0 ? EnumSet.allOf(Operation.class) : EnumSet.copyOf(Arrays.asList(operations));
      }
    }
  }

  /** Operations on a name ({@code exact}) or on the names under a prefix that fail permanently. */
  private record PermanentFault(String name, boolean exact, Set<Operation> operations) {
    PermanentFault {
      operations = Set.copyOf(operations);
    }

    boolean matches(Operation operation, String subject) {
      if (!operations.contains(operation)) {
        return false;
      }
      if (operation == Operation.LIST) {
        // A listing of prefix p can report this name (exact) or a name under this prefix when the two
        // prefixes overlap: one starts with the other.
        return name.startsWith(subject) || (!exact && subject.startsWith(name));
      }
      return exact ? subject.equals(name) : subject.startsWith(name);
    }

    @Override
    public String toString() {
      return (exact ? "blob " : "prefix '") + name + (exact ? "" : "'") + " for " + operations;
    }
  }
}
