package dev.bakare.internal.crypto;

import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * ChaCha20-Poly1305 from the JDK: constant-time without AES hardware, but without an intrinsic on JDK 17
 * (about 250 MB/s there), so not the default.
 */
public final class ChaCha20Poly1305 implements AeadAlgorithm {
  public static final String NAME = "chacha20-poly1305";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Aead withKey(byte[] key) {
    return new JdkAead("ChaCha20-Poly1305", "ChaCha20", key, false) {
      @Override
      AlgorithmParameterSpec parameters(byte[] nonce) {
        return new IvParameterSpec(nonce);
      }
    };
  }
}
