package dev.bakare.internal.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A restored file comes out the same whether it is written on a bare descriptor (what the CLI does) or
 * through a channel (where the JDK's internals are out of reach): bytes at any position and in any order,
 * writes larger than a thread's native buffer, its permissions, its times; and neither way overwrites or
 * follows what is already at the path.
 */
class RestoredFileTest {
  private static final Instant MODIFIED = Instant.parse("2021-03-04T05:06:07.123456789Z");
  private static final Instant ACCESSED = Instant.parse("2024-01-02T03:04:05.5Z");

  @TempDir Path temp;

  @Test
  void theTestsRunTheDescriptorWayAsTheCliDoes() {
    assertTrue(UnixDescriptors.AVAILABLE, "the tests open sun.nio.ch and sun.nio.fs to bakare, as the CLI's jar does");
    assertTrue(UnixDescriptors.usableFor(temp.resolve("x")));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void bytesAtAnyPositionPermissionsAndTimesComeOutTheSame(boolean descriptor) throws IOException {
    Path path = temp.resolve("file");
    RestoredFile file = create(path, 0640, descriptor);
    assertEquals(descriptor, file instanceof RestoredFile.Descriptor, "written on a bare descriptor");
    byte[] content = new byte[3 * UnixDescriptors.SLICE + 1000];
    new Random(41).nextBytes(content);
    int split = UnixDescriptors.SLICE + 17;
    // The second part first, from inside a larger array, as a restore writes a chunk where it was read.
    byte[] padded = new byte[content.length + 9];
    System.arraycopy(content, 0, padded, 5, content.length);
    file.write(padded, 5 + split, content.length - split, split);
    file.write(padded, 5, split, 0);
    file.write(new byte[1], 0, 1, content.length + 4095);
    assertTrue(file.setTimes(MODIFIED, ACCESSED), "times set through the open file");
    file.close();

    // Times first: reading the content moves the access time.
    assertEquals(FileTime.from(MODIFIED), Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
    assertEquals(FileTime.from(ACCESSED), Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS).lastAccessTime());
    byte[] expected = Arrays.copyOf(content, content.length + 4096);
    assertArrayEquals(expected, Files.readAllBytes(path));
    int umask = umask();
    assertEquals(PosixFilePermissions.toString(permissions(0640 & ~umask)),
        PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void whatIsAlreadyThereIsNeitherOverwrittenNorFollowed(boolean descriptor) throws IOException {
    Path existing = Files.writeString(temp.resolve("existing"), "keep");
    assertThrows(FileAlreadyExistsException.class, () -> create(existing, 0644, descriptor));
    assertEquals("keep", Files.readString(existing));

    Path link = Files.createSymbolicLink(temp.resolve("link"), temp.resolve("elsewhere"));
    assertThrows(FileAlreadyExistsException.class, () -> create(link, 0644, descriptor));
    assertFalse(Files.exists(temp.resolve("elsewhere"), LinkOption.NOFOLLOW_LINKS), "the link was not followed");
  }

  @Test
  void aMissingDirectoryIsAnErrorNamingThePath() {
    Path path = temp.resolve("missing/file");
    IOException e = assertThrows(IOException.class, () -> create(path, 0644, true));
    assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
  }

  private static RestoredFile create(Path path, int mode, boolean descriptor) throws IOException {
    if (descriptor) {
      return RestoredFile.createNew(path, mode);
    }
    return new RestoredFile.Channel(
        FileChannel.open(path, RestoredFile.NEW_FILE, RestoredMetadata.creationPermissions(mode)), path);
  }

  private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int bits) {
    StringBuilder s = new StringBuilder();
    String letters = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      s.append((bits & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
    }
    return PosixFilePermissions.fromString(s.toString());
  }

  private static int umask() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Umask:")) {
        return Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
      }
    }
    return 022;
  }
}
