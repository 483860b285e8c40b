package dev.bakare.internal.crypto;

import dev.bakare.internal.jdk.JdkInternals;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * GCM's GHASH function (NIST SP 800-38D, 6.4) computed by the JDK's own implementation, which HotSpot
 * replaces with its carry-less multiplication intrinsic. Reachable only where {@code java.base} opens
 * {@code com.sun.crypto.provider} to bakare (the CLI's jar does); {@link #AVAILABLE} says whether it is.
 * With it, opening an AES-GCM object checks the tag over the ciphertext as it is, instead of encrypting
 * the plaintext again to recompute it. Used by one thread at a time.
 */
final class JdkGhash {
  private static final @Nullable Class<?> GHASH = JdkInternals.type("com.sun.crypto.provider.GHASH");
  /** {@code new GHASH(byte[] subkeyH)}, as {@code (byte[])Object}. */
  private static final @Nullable MethodHandle NEW = adapt(
      JdkInternals.constructor(GHASH, MethodType.methodType(void.class, byte[].class)),
      MethodType.methodType(Object.class, byte[].class));
  /** {@code int update(byte[] in, int offset, int length)}: folds in the whole blocks, returns their length. */
  private static final @Nullable MethodHandle UPDATE = adapt(
      JdkInternals.virtualMethod(GHASH, "update", MethodType.methodType(int.class, byte[].class, int.class, int.class)),
      MethodType.methodType(int.class, Object.class, byte[].class, int.class, int.class));
  /** {@code byte[] digest()}: the hash so far, after which the state is zero again. */
  private static final @Nullable MethodHandle DIGEST = adapt(
      JdkInternals.virtualMethod(GHASH, "digest", MethodType.methodType(byte[].class)),
      MethodType.methodType(byte[].class, Object.class));

  /** Whether this JVM lets bakare use the JDK's GHASH. */
  static final boolean AVAILABLE = NEW != null && UPDATE != null && DIGEST != null && works();

  private static final int BLOCK = 16;
  /**
   * The most folded in per call: HotSpot compiles the JDK's block loop, with its intrinsic, once it is
   * called often, and a chunk of megabytes in one call would run interpreted in a cold JVM.
   */
  private static final int SLICE = 16 * 1024;

  private final Object ghash;
  /** A partial last block, zero-padded. */
  private final byte[] block = new byte[BLOCK];

  /** @param subkey the hash subkey H: the block cipher applied to the all-zero block under the key */
  JdkGhash(byte[] subkey) {
    if (!AVAILABLE) {
      throw new IllegalStateException("the JDK's GHASH is not reachable: check AVAILABLE first");
    }
    try {
      this.ghash = (Object) java.util.Objects.requireNonNull(NEW).invokeExact(subkey.clone());
    } catch (Throwable e) {
      throw new IllegalStateException("the JDK's GHASH could not be made", e);
    }
  }

  /** Folds in {@code length} bytes of {@code data} from {@code offset}, zero-padded to whole blocks. */
  void update(byte[] data, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, data.length);
    int whole = length - length % BLOCK;
    for (int done = 0; done < whole; ) {
      done += foldBlocks(data, offset + done, Math.min(SLICE, whole - done));
    }
    int rest = length - whole;
    if (rest > 0) {
      System.arraycopy(data, offset + whole, block, 0, rest);
      Arrays.fill(block, rest, BLOCK, (byte) 0);
      foldBlocks(block, 0, BLOCK);
    }
  }

  /**
   * Folds in the block of both lengths, as GCM ends its hash, and returns the hash; the state is then
   * zero again, ready for the next object.
   */
  byte[] finish(long associatedLength, long ciphertextLength) {
    longToBytes(associatedLength * 8, block, 0);
    longToBytes(ciphertextLength * 8, block, 8);
    foldBlocks(block, 0, BLOCK);
    try {
      return (byte[]) java.util.Objects.requireNonNull(DIGEST).invokeExact(ghash);
    } catch (Throwable e) {
      throw new IllegalStateException("the JDK's GHASH failed", e);
    }
  }

  private int foldBlocks(byte[] data, int offset, int length) {
    try {
      return (int) java.util.Objects.requireNonNull(UPDATE).invokeExact(ghash, data, offset, length);
    } catch (Throwable e) {
      throw new IllegalStateException("the JDK's GHASH failed", e);
    }
  }

  private static void longToBytes(long value, byte[] out, int offset) {
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) value;
      value >>>= 8;
    }
  }

  private static @Nullable MethodHandle adapt(@Nullable MethodHandle handle, MethodType type) {
    return handle == null ? null : handle.asType(type);
  }

  /**
   * Whether the handles compute GHASH as the standard defines it: checked once against a value computed
   * here, so that another JDK whose internals merely share the names cannot give wrong tags.
   */
  private static boolean works() {
    try {
      // H = 0x80 00..00 is the field's unit element (GCM's bit order): GHASH of one block X is then X.
      byte[] unit = new byte[BLOCK];
      unit[0] = (byte) 0x80;
      Object probe = java.util.Objects.requireNonNull(NEW).invokeExact(unit);
      byte[] x = new byte[BLOCK];
      for (int i = 0; i < BLOCK; i++) {
        x[i] = (byte) (i * 37 + 11);
      }
      int folded = (int) java.util.Objects.requireNonNull(UPDATE).invokeExact(probe, x, 0, BLOCK);
      byte[] hash = (byte[]) java.util.Objects.requireNonNull(DIGEST).invokeExact(probe);
      return folded == BLOCK && Arrays.equals(x, hash);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      // Handles that fail on a known block: this JDK's GHASH is not what bakare expects, so it is not used.
      return false;
    }
  }
}
