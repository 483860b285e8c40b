package dev.bakare.internal.content;

import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.ObjectId;
import javax.crypto.Mac;

/**
 * Computes chunk ids: HMAC-SHA256 keyed with the repository's chunk id key, so ids reveal nothing about
 * content to anyone without the key (an unkeyed hash would let the storage confirm guesses). HMAC-SHA256
 * runs at about 1.1 GB/s with the SHA-NI intrinsic, faster than keyed BLAKE3 in Java here.
 */
public final class ChunkHasher {
  private static final int SLICE = 16 * 1024;

  private final ThreadLocal<Mac> macs;

  public ChunkHasher(byte[] chunkIdKey) {
    byte[] key = chunkIdKey.clone();
    this.macs = ThreadLocal.withInitial(() -> Crypto.hmacSha256(key));
  }

  public ObjectId hash(byte[] data, int offset, int length) {
    Mac mac = macs.get();
    // Sliced for the same cold-JVM reason as JdkAead.
    for (int done = 0; done < length; done += SLICE) {
      mac.update(data, offset + done, Math.min(SLICE, length - done));
    }
    return ObjectId.wrap(mac.doFinal());
  }

  public ObjectId hash(byte[] data) {
    return hash(data, 0, data.length);
  }
}
