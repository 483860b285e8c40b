package dev.bakare.internal.restore;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixFileTimesTest {
  private static final Instant MODIFIED = Instant.parse("2021-03-04T05:06:07.123456789Z");
  private static final Instant ACCESSED = Instant.parse("2024-01-02T03:04:05.987654321Z");

  @TempDir Path dir;

  @Test
  void setsBothTimesToTheNanosecondThroughTheOpenChannel() throws IOException {
    assertTrue(UnixFileTimes.AVAILABLE, "the tests open sun.nio.ch and sun.nio.fs to bakare, as the CLI's jar does");
    Path file = dir.resolve("restored");
    try (FileChannel channel = FileChannel.open(file, CREATE_NEW, WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {42}));
      assertTrue(UnixFileTimes.settable(channel, MODIFIED, ACCESSED));
      UnixFileTimes.set(channel, file, MODIFIED, ACCESSED);
    }
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW_LINKS);
    assertEquals(MODIFIED, attributes.lastModifiedTime().toInstant());
    assertEquals(ACCESSED, attributes.lastAccessTime().toInstant());
  }

  @Test
  void timesBeforeTheEpochAndClosedChannelsAreLeftToThePublicWay() throws IOException {
    Path file = dir.resolve("old");
    Instant before1970 = Instant.parse("1969-12-31T23:59:59.5Z");
    FileChannel channel = FileChannel.open(file, CREATE_NEW, WRITE);
    try (channel) {
      assertFalse(UnixFileTimes.settable(channel, before1970, ACCESSED), "a modification time before 1970");
      assertFalse(UnixFileTimes.settable(channel, MODIFIED, before1970), "an access time before 1970");
      assertFalse(UnixFileTimes.settable(channel, Instant.parse("2300-01-01T00:00:00Z"), ACCESSED), "after 2262");
    }
    assertFalse(UnixFileTimes.settable(channel, MODIFIED, ACCESSED), "a closed channel");
    assertThrows(IllegalStateException.class, () -> UnixFileTimes.set(channel, file, MODIFIED, ACCESSED));
  }

  @Test
  void restoredMetadataSetsTheSameTimesByDescriptorAsByPath() throws IOException {
    RestoredMetadata metadata = new RestoredMetadata(ACCESSED);
    Path byPath = dir.resolve("by-path");
    Path byDescriptor = dir.resolve("by-descriptor");
    Files.write(byPath, new byte[] {1});
    EntryAttributes entry = new EntryAttributes(NodeType.FILE, 0644, 0, 0, MODIFIED);
    metadata.apply(byPath, entry, true, null);
    RestoredFile.Channel channel =
        new RestoredFile.Channel(FileChannel.open(byDescriptor, CREATE_NEW, WRITE), byDescriptor);
    channel.write(new byte[] {1}, 0, 1, 0);
    metadata.apply(byDescriptor, entry, true, channel);
    channel.close();
    Path byBareDescriptor = dir.resolve("by-bare-descriptor");
    RestoredFile bare = RestoredFile.createNew(byBareDescriptor, entry.mode());
    bare.write(new byte[] {1}, 0, 1, 0);
    metadata.apply(byBareDescriptor, entry, true, bare);
    bare.close();
    for (Path file : new Path[] {byPath, byDescriptor, byBareDescriptor}) {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW_LINKS);
      assertEquals(MODIFIED, attributes.lastModifiedTime().toInstant(), file.toString());
      assertEquals(ACCESSED, attributes.lastAccessTime().toInstant(), file.toString());
    }
  }
}
