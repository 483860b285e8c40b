package dev.bakare.internal.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SparseWriterTest {
  @TempDir Path temp;

  /**
   * A chunk taken from the middle of a larger array (as a restore writes one decrypted where it was read)
   * lands in the file byte for byte, zero blocks included, wherever it starts in the file.
   */
  @ParameterizedTest
  @CsvSource({"0, 0", "3, 0", "3, 1000", "4096, 0", "4096, 4095", "8192, 8192", "17, 8192"})
  void aChunkInsideALargerArrayIsWrittenExactly(int from, long fileOffset) throws IOException {
    byte[] chunk = new byte[5 * SparseWriter.BLOCK + 123];
    new Random(from).nextBytes(chunk);
    Arrays.fill(chunk, SparseWriter.BLOCK, 3 * SparseWriter.BLOCK, (byte) 0);
    Arrays.fill(chunk, chunk.length - 200, chunk.length, (byte) 0);
    byte[] array = new byte[from + chunk.length + 7];
    Arrays.fill(array, (byte) 1);
    System.arraycopy(chunk, 0, array, from, chunk.length);
    Path file = temp.resolve("f");

    long end;
    RestoredFile.Channel out = new RestoredFile.Channel(
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), file);
    try {
      end = SparseWriter.write(out, array, from, chunk.length, fileOffset);
    } finally {
      out.close();
    }
    // Blocks left unwritten read as zeros (a restore sets the file's length afterwards).
    byte[] written = Files.readAllBytes(file);
    byte[] expected = new byte[(int) fileOffset + chunk.length];
    System.arraycopy(chunk, 0, expected, (int) fileOffset, chunk.length);
    assertEquals(written.length, end, "where the last write ended");
    assertArrayEquals(expected, Arrays.copyOf(written, expected.length));
  }
}
