package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bakare.FileError;
import dev.bakare.FileType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FormatTest {
  @Test
  void sizesAre1024BasedWithOneDecimal() {
    assertEquals("0 B", Format.size(0));
    assertEquals("1023 B", Format.size(1023));
    assertEquals("1.0 KiB", Format.size(1024));
    assertEquals("1.5 KiB", Format.size(1536));
    assertEquals("1.0 MiB", Format.size(1024 * 1024 - 1), "rounds up into the next unit, not to 1024.0 KiB");
    assertEquals("20.0 GiB", Format.size(20L << 30));
    assertEquals("8.0 EiB", Format.size(Long.MAX_VALUE));
    assertThrows(IllegalArgumentException.class, () -> Format.size(-1));
  }

  @Test
  void durations() {
    assertEquals("0.4s", Format.duration(Duration.ofMillis(400)));
    assertEquals("59.9s", Format.duration(Duration.ofMillis(59_900)));
    assertEquals("3m05s", Format.duration(Duration.ofSeconds(185)));
    assertEquals("1h02m03s", Format.duration(Duration.ofSeconds(3723)));
  }

  @Test
  void modeStringsLikeLs() {
    assertEquals("-rw-r--r--", Format.mode(FileType.FILE, 0644));
    assertEquals("drwxr-xr-x", Format.mode(FileType.DIRECTORY, 0755));
    assertEquals("lrwxrwxrwx", Format.mode(FileType.SYMLINK, 0777));
    assertEquals("----------", Format.mode(FileType.FILE, 0));
    assertEquals("-rwsr-sr-t", Format.mode(FileType.FILE, 07755));
    assertEquals("-rwSr-Sr-T", Format.mode(FileType.FILE, 07644));
    assertEquals("?rw-------", Format.mode(FileType.SPECIAL, 0600));
  }

  @Test
  void countsAndErrors() {
    assertEquals("1 file", Format.count(1, "file", "files"));
    assertEquals("0 files", Format.count(0, "file", "files"));
    assertEquals("error: /a b: permission denied", Format.error(new FileError("/a b", "permission denied")));
  }

  @org.junit.jupiter.api.Test
  void sizesParseInBinaryUnits() {
    org.junit.jupiter.api.Assertions.assertEquals(4096, Format.parseSize("4096", "--x"));
    org.junit.jupiter.api.Assertions.assertEquals(256 << 10, Format.parseSize("256K", "--x"));
    org.junit.jupiter.api.Assertions.assertEquals(1 << 20, Format.parseSize("1m", "--x"));
    org.junit.jupiter.api.Assertions.assertEquals(16 << 20, Format.parseSize("16MiB", "--x"));
    org.junit.jupiter.api.Assertions.assertEquals(1 << 30, Format.parseSize("1G", "--x"));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Format.parseSize("lots", "--pack-size"));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("--pack-size takes a size"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Format.parseSize("8G", "--x"));
  }

  @org.junit.jupiter.api.Test
  void initTakesChunkAndPackSizes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) {
    CliRunner cli = new CliRunner(temp.resolve("config"));
    java.nio.file.Path repo = temp.resolve("repo");
    cli.run("-r", repo, "init", "--chunk-sizes", "64K,128K,512K", "--pack-size", "4M").assertSuccess();
    String config = cli.run("-r", repo, "cat", "config").assertSuccess().out();
    org.junit.jupiter.api.Assertions.assertTrue(config.contains("chunker-average: 131072"), config);
    org.junit.jupiter.api.Assertions.assertTrue(config.contains("pack-size: 4194304"), config);
    cli.run("-r", temp.resolve("other"), "init", "--chunk-sizes", "64K,100K,512K")
        .assertOneLineError(2, "power-of-two average");
  }
}
