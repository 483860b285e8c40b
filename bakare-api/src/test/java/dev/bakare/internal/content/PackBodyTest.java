package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.SealTarget;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackBodyTest {
  @TempDir Path temp;

  /**
   * Bytes written in reserved pieces of every size a seal asks for, and appended in pieces larger than the
   * buffer, come back exactly, under the SHA-256 of all of them.
   */
  @Test
  void aFileBodyHoldsExactlyWhatWasAppendedAndIsNamedByItsHash() throws IOException {
    byte[] expected = new byte[3 * PackBody.InFile.BUFFER_BYTES + 12345];
    new Random(5).nextBytes(expected);
    FileChannel file = FileChannel.open(temp.resolve("a"), StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.CREATE_NEW);
    try (PackBody.InFile body = new PackBody.InFile(new PackFile.Local(temp, file))) {
      for (int round = 0; round < 2; round++) {
        int[] pieces = {1, 1000, SealTarget.MAX_PIECE, 70_000, PackBody.InFile.BUFFER_BYTES + 1, 16_416};
        int at = 0;
        for (int i = 0; at < expected.length; i++) {
          int length = Math.min(pieces[i % pieces.length], expected.length - at);
          if (length <= SealTarget.MAX_PIECE) {
            byte[] target = body.reserve(length);
            System.arraycopy(expected, at, target, body.reservedOffset(), length);
            body.advance(length);
          } else {
            body.append(Arrays.copyOfRange(expected, at, at + length));
          }
          at += length;
        }
        assertArrayEquals(Crypto.sha256(expected), body.finish());
        assertArrayEquals(expected, body.contents());
        body.reset();
      }
    }
  }

  /** A pack whose staging file could not be written is never finished, so never uploaded under a name. */
  @Test
  void aFileBodyWhoseWriteFailedCannotBeFinished() throws IOException {
    // A closed channel fails as one closed by an interrupt does (ClosedByInterruptException).
    FileChannel closed = FileChannel.open(temp.resolve("b"), StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.CREATE_NEW);
    closed.close();
    try (PackBody.InFile body = new PackBody.InFile(new PackFile.Local(temp, closed))) {
      IOException write =
          assertThrows(IOException.class, () -> body.append(new byte[PackBody.InFile.BUFFER_BYTES + 1]));
      assertTrue(write.getMessage().contains(temp.toString()), write.getMessage());
      IOException finish = assertThrows(IOException.class, body::finish);
      assertTrue(finish.getMessage().contains("failed before"), finish.getMessage());
    }
  }
}
