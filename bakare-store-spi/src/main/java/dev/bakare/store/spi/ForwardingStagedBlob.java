package dev.bakare.store.spi;

import java.nio.channels.FileChannel;

/**
 * A {@link StagedBlob} that forwards every call to a delegate: the base for a store wrapper's staged
 * blobs ({@link ForwardingBlobStore#stage}), which override {@link #publish} to add their behaviour.
 */
public abstract class ForwardingStagedBlob implements StagedBlob {
  private final StagedBlob delegate;

  protected ForwardingStagedBlob(StagedBlob delegate) {
    this.delegate = delegate;
  }

  protected final StagedBlob delegate() {
    return delegate;
  }

  @Override
  public FileChannel channel() {
    return delegate.channel();
  }

  @Override
  public void publish(BlobName name, PutMode mode) throws StorageException {
    delegate.publish(name, mode);
  }

  @Override
  public void close() throws StorageException {
    delegate.close();
  }
}
