/**
 * bakare: deduplicated, compressed, encrypted backups. {@link dev.bakare.Repository} is the entry point;
 * everything under {@code dev.bakare.internal} is the engine and not API.
 */
module dev.bakare {
  requires transitive dev.bakare.store.spi;
  requires transitive dev.bakare.chunking;
  requires static org.jspecify;
  requires org.bouncycastle.provider;
  requires com.github.luben.zstd_jni;
  requires com.github.benmanes.caffeine;

  exports dev.bakare;

  uses dev.bakare.store.spi.StorageProvider;
  uses dev.bakare.chunking.ChunkerFactory;
  uses dev.bakare.internal.crypto.AeadAlgorithm;

  provides dev.bakare.internal.crypto.AeadAlgorithm with
      dev.bakare.internal.crypto.Aes256Gcm,
      dev.bakare.internal.crypto.ChaCha20Poly1305;
}
