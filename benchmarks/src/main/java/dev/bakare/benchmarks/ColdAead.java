package dev.bakare.benchmarks;

import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.AeadAlgorithms;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * AEAD speed from a cold JVM, as a backup (seal) or a restore (open) starts: the engine's {@link Aead} on
 * 1 MiB chunks, 64 MiB of them at a time. JMH's warm-up hides how long HotSpot takes to compile the callers of
 * the AES-GCM intrinsics (DESIGN.md §7).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.bakare.benchmarks.ColdAead [seal|open] [MiB]
 * [cipher] [chunk bytes] [warm-up calls]}; defaults: open, 1024 MiB, aes-256-gcm, 1 MiB, 0. With warm-up calls,
 * the cipher first opens (or seals) that many 16 KiB messages: a cheap way to get the callers of the
 * intrinsics compiled before the real work (the time it takes is printed and included). Prints the overall
 * rate and the rate of each 64 MiB (MB/s, 10^6 bytes per second).
 */
public final class ColdAead {
  private static final int LAP = 64 << 20;

  private ColdAead() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "open";
    long total = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
    String name = args.length > 2 ? args[2] : "aes-256-gcm";
    int chunk = args.length > 3 ? Integer.parseInt(args[3]) : 1 << 20;
    int warmups = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    if (!mode.equals("seal") && !mode.equals("open")) {
      throw new IllegalArgumentException("mode must be seal or open, got " + mode);
    }

    SplittableRandom random = new SplittableRandom(BenchData.SEED);
    byte[] key = new byte[32];
    random.nextBytes(key);
    Aead aead = AeadAlgorithms.byName(name).orElseThrow(() -> new IllegalArgumentException("no AEAD " + name))
        .withKey(key);
    byte[] plain = new byte[LAP];
    random.nextBytes(plain);
    byte[] ad = new byte[33];
    int chunks = LAP / chunk;
    int sealedChunk = chunk + AeadAlgorithm.TAG_LENGTH;
    byte[] sealed = new byte[chunks * sealedChunk];
    byte[] out = new byte[sealedChunk];
    if (mode.equals("open")) {
      // Sealing 64 MiB first warms up only the encryption side.
      for (int i = 0; i < chunks; i++) {
        aead.seal(nonce(i), ad, plain, i * chunk, chunk, sealed, i * sealedChunk);
      }
    }

    StringBuilder laps = new StringBuilder();
    long counter = 1L << 40;
    long start = System.nanoTime();
    if (warmups > 0) {
      int small = 16 << 10;
      byte[] sealedSmall = new byte[small + AeadAlgorithm.TAG_LENGTH];
      aead.seal(nonce(counter++), ad, plain, 0, small, sealedSmall, 0);
      byte[] smallNonce = nonce(counter - 1);
      for (int i = 0; i < warmups; i++) {
        if (mode.equals("seal")) {
          aead.seal(nonce(counter++), ad, plain, 0, small, out, 0);
        } else {
          aead.open(smallNonce, ad, sealedSmall, 0, sealedSmall.length, out, 0);
        }
      }
      System.out.printf("warm-up: %d %s calls on 16 KiB in %.0f ms%n", warmups, mode, (System.nanoTime() - start) / 1e6);
    }
    long lapStart = System.nanoTime();
    for (long done = 0; done < total; done += LAP) {
      for (int i = 0; i < chunks; i++) {
        if (mode.equals("seal")) {
          aead.seal(nonce(counter++), ad, plain, i * chunk, chunk, out, 0);
        } else {
          aead.open(nonce(i), ad, sealed, i * sealedChunk, sealedChunk, out, 0);
        }
      }
      long now = System.nanoTime();
      laps.append(laps.length() == 0 ? "" : " ").append(Math.round(LAP / ((now - lapStart) / 1e3)));
      lapStart = now;
    }
    long end = System.nanoTime();
    System.out.printf("%s %s cold, %d-byte chunks: %d MiB in %.3f s: %.0f MB/s%nper 64 MiB (MB/s): %s%n", name, mode,
        chunk, total >> 20, (end - start) / 1e9, total / ((end - start) / 1e3), laps);
  }

  private static byte[] nonce(long value) {
    return ByteBuffer.allocate(AeadAlgorithm.NONCE_LENGTH).putInt(0).putLong(value).array();
  }
}
