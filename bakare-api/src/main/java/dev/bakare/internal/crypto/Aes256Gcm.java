package dev.bakare.internal.crypto;

/** AES-256-GCM from the JDK: hardware-accelerated (AES-NI, CLMUL intrinsics), the default. */
public final class Aes256Gcm implements AeadAlgorithm {
  public static final String NAME = "aes-256-gcm";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Aead withKey(byte[] key) {
    return new AesGcmAead(key);
  }
}
