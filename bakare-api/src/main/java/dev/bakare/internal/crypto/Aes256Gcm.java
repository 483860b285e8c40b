package dev.bakare.internal.crypto;

import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.spec.GCMParameterSpec;

/** AES-256-GCM from the JDK: hardware-accelerated (AES-NI, CLMUL intrinsics), the default. */
public final class Aes256Gcm implements AeadAlgorithm {
  public static final String NAME = "aes-256-gcm";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Aead withKey(byte[] key) {
    return new JdkAead("AES/GCM/NoPadding", "AES", key, true) {
      @Override
      AlgorithmParameterSpec parameters(byte[] nonce) {
        return new GCMParameterSpec(TAG_LENGTH * 8, nonce);
      }
    };
  }
}
