package dev.bakare.internal.protocol;

import dev.bakare.RepositoryException;
import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One prune at a time: the holder of the highest {@code leases/<seq>} blob younger than the lease
 * duration (by the store's clock) owns maintenance. Taking or renewing the lease is a create-only put of
 * the next sequence number, so two contenders never both win. Backups never look at the lease: it orders
 * prunes among themselves, and correctness towards writers comes from the session claims, not from it.
 * Renewing also tells the holder the store's current time.
 */
public final class MaintenanceLease implements AutoCloseable {
  private final BlobStore store;
  private final Duration duration;
  private final String holder;
  private long sequence;
  private Instant storeNow;

  private MaintenanceLease(BlobStore store, Duration duration, String holder, long sequence, Instant storeNow) {
    this.store = store;
    this.duration = duration;
    this.holder = holder;
    this.sequence = sequence;
    this.storeNow = storeNow;
  }

  /**
   * Takes the lease.
   *
   * @throws RepositoryException if another prune or index repair holds it
   */
  public static MaintenanceLease acquire(BlobStore store, Duration duration, String holder) throws StorageException,
      RepositoryException {
    BlobInfo newest = null;
    long newestSequence = 0;
    List<BlobInfo> all = new ArrayList<>();
    store.list(ProtocolLayout.LEASES, all::add);
    for (BlobInfo info : all) {
      long seq = ProtocolLayout.leaseSequence(info.name()).orElse(-1L);
      if (seq > newestSequence) {
        newestSequence = seq;
        newest = info;
      }
    }
    long next = newestSequence + 1;
    BlobName name = ProtocolLayout.lease(next);
    try {
      store.put(name, ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), PutMode.CREATE_ONLY);
    } catch (BlobAlreadyExistsException e) {
      throw new RepositoryException(
          "another prune or index repair took the maintenance lease at the same moment: try again later", e);
    }
    Instant now = storeTime(store, name);
    if (newest != null && newest.lastModified().plus(duration).isAfter(now)) {
      // Someone holds an unexpired lease: undo our claim and step back.
      store.delete(name);
      throw new RepositoryException("another prune or index repair holds the maintenance lease (" + newest.name()
          + ", taken at " + newest.lastModified() + "): wait for it to finish, or for the lease to expire "
          + duration.toSeconds() + " s after that; if it crashed, run again with a shorter lease (CLI: --lease)");
    }
    MaintenanceLease lease = new MaintenanceLease(store, duration, holder, next, now);
    for (BlobInfo info : all) {
      store.delete(info.name());
    }
    return lease;
  }

  /** The store's time at the last renewal. */
  public Instant storeNow() {
    return storeNow;
  }

  /**
   * Renews the lease and returns the store's current time.
   *
   * @throws RepositoryException if another prune took the lease over (this prune was paused too long):
   *     the caller stops
   */
  public Instant renew() throws StorageException, RepositoryException {
    long next = sequence + 1;
    BlobName name = ProtocolLayout.lease(next);
    try {
      store.put(name, ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), PutMode.CREATE_ONLY);
    } catch (BlobAlreadyExistsException e) {
      throw new RepositoryException("another prune took over the maintenance lease while this one was paused: stopping", e);
    }
    store.delete(ProtocolLayout.lease(sequence));
    sequence = next;
    storeNow = storeTime(store, name);
    return storeNow;
  }

  /**
   * The store's time of a lease just put. Only another prune deletes leases, and only once they expired:
   * if ours is gone, this prune was paused past its lease and the other took over.
   */
  private static Instant storeTime(BlobStore store, BlobName lease) throws StorageException, RepositoryException {
    return store.stat(lease).map(BlobInfo::lastModified).orElseThrow(() -> new RepositoryException("another prune"
        + " took over the maintenance lease while this one was paused (" + lease + " expired and was removed):"
        + " stopping; run prune again once the other has finished"));
  }

  @Override
  public void close() throws StorageException {
    store.delete(ProtocolLayout.lease(sequence));
  }
}
