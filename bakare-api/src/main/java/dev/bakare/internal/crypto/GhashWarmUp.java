package dev.bakare.internal.crypto;

import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes HotSpot compile the JDK's GHASH early. Its fast form (carry-less multiply) is an intrinsic that
 * applies only inside a caller compiled by C2; until {@code GHASH.update} is, every byte sealed or
 * opened runs through a Java loop several times slower. A backup or restore reaches that compilation only
 * after a second or two of work (measured in a restore of 1.5 GB: 16% of all samples in the Java loop,
 * {@code GHASH.update} compiled 2.2 s after start); 50,000 one-block updates on a throwaway key, on a
 * daemon thread once per process, get it compiled at 0.75 s, and the restore takes 10% less CPU.
 */
final class GhashWarmUp {
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static final System.Logger LOG = System.getLogger(GhashWarmUp.class.getName());
  private static final int ROUNDS = 100;
  private static final int BLOCKS_PER_ROUND = 500;

  private GhashWarmUp() {}

  static void start() {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread thread = new Thread(GhashWarmUp::run, "bakare-ghash-warm-up");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
  }

  private static void run() {
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
      byte[] block = new byte[16];
      byte[] out = new byte[32];
      for (int round = 0; round < ROUNDS; round++) {
        byte[] nonce = new byte[12];
        nonce[0] = (byte) round;
        gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        for (int i = 0; i < BLOCKS_PER_ROUND; i++) {
          gcm.update(block, 0, block.length, out, 0);
        }
        gcm.doFinal(out, 0);
      }
    } catch (GeneralSecurityException e) {
      // Only time is at stake: without the warm-up, the compilation comes later by itself.
      LOG.log(System.Logger.Level.DEBUG, "GHASH warm-up skipped: " + e);
    }
  }
}
