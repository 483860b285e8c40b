package dev.bakare.store.spi;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link BlobStore} that forwards every call to a delegate: the base for wrappers that add one
 * cross-cutting behaviour (retries, metrics, fault injection, a read-only guard) by overriding only the
 * methods they change.
 *
 * <p>{@link #read} is not forwarded: it keeps the interface's default, which reads through this wrapper's
 * own {@link #get(BlobName, long, int)}, so a wrapper that changes ranged reads sees every one. A wrapper
 * that wants the delegate's direct read overrides {@link #read} itself. {@link #putFrom} is not forwarded
 * either, for the same reason: its default reads the file and calls this wrapper's {@link #put}. A
 * wrapper that does not override it should report {@link StoreCapabilities#streamsFromFiles()} false
 * (its puts from files do go through memory); {@link #capabilities()} here forwards the delegate's.
 * {@link #stage} is not forwarded either (it keeps the default: no staging), since publishing a staged
 * blob would bypass the wrapper's puts; a wrapper that wants its delegate's staging overrides it,
 * wrapping each staged blob in a {@link ForwardingStagedBlob} whose {@code publish} does what its puts do.
 */
public abstract class ForwardingBlobStore implements BlobStore {
  private final BlobStore delegate;

  protected ForwardingBlobStore(BlobStore delegate) {
    this.delegate = delegate;
  }

  protected final BlobStore delegate() {
    return delegate;
  }

  @Override
  public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
    delegate.put(name, content, mode);
  }

  @Override
  public ByteBuffer get(BlobName name) throws StorageException {
    return delegate.get(name);
  }

  @Override
  public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
    return delegate.get(name, offset, length);
  }

  @Override
  public Optional<BlobInfo> stat(BlobName name) throws StorageException {
    return delegate.stat(name);
  }

  @Override
  public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
    delegate.list(prefix, consumer);
  }

  @Override
  public void delete(BlobName name) throws StorageException {
    delegate.delete(name);
  }

  @Override
  public long removeIncompleteUploads(java.time.Duration age) throws StorageException {
    return delegate.removeIncompleteUploads(age);
  }

  @Override
  public StoreCapabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() throws StorageException {
    delegate.close();
  }
}
