package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysTest {
  @TempDir Path temp;
  TestRepo repo;
  Path source;

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("source"));
    Files.write(source.resolve("data.bin"), BackupRestoreTest.randomBytes(new Random(7), 3 << 20));
    Files.writeString(source.resolve("secret-name.txt"), "secret");
  }

  @Test
  void initWritesAPrivateKeyFileInTheConfigDirectory() throws IOException {
    try (Repository r = repo.init()) {
      Path key = r.info().keyFile();
      assertEquals(repo.configDirectory.resolve("keys").resolve(r.info().id() + ".key"), key);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
      assertTrue(r.info().fullKey());
    }
  }

  @Test
  void writeKeyBacksUpAndDedupsButCannotRead() throws IOException {
    Path writeKey = temp.resolve("write.key");
    SnapshotId first;
    try (Repository r = repo.init()) {
      first = r.backup(BackupRequest.of(source)).id();
      r.exportWriteKey(writeKey, null);
    }
    try (Repository w = Repository.open(repo.options().keyFile(writeKey).build())) {
      assertFalse(w.info().fullKey());
      Snapshot second = w.backup(BackupRequest.of(source));
      assertTrue(second.stats().newBytes() < 64 * 1024,
          "a write key dedups against existing data, but stored " + second.stats().newBytes() + " new bytes");
      List<Snapshot> listed = w.snapshots();
      assertEquals(2, listed.size(), "a write key lists snapshots");
      assertTrue(listed.get(0).paths().isEmpty(), "but not their paths");

      KeyException restore = assertThrows(KeyException.class, () -> w.restore(first, temp.resolve("target")));
      assertTrue(restore.getMessage().contains("needs the full key"), restore.getMessage());
      assertFalse(Files.exists(temp.resolve("target")), "a refused restore writes nothing");
      KeyException list = assertThrows(KeyException.class, () -> w.list(first, "/", e -> { }));
      assertTrue(list.getMessage().contains("write key"), list.getMessage());
    }
    try (Repository r = repo.open()) {
      Snapshot fromWriteKey = r.snapshot("latest");
      assertEquals(List.of(source.toString()), fromWriteKey.paths(), "the full key reads what the write key wrote");
      assertTrue(r.restore(fromWriteKey.id(), temp.resolve("restored")).isComplete());
    }
  }

  @Test
  void passphraseProtectsTheKeyFile() throws IOException {
    char[] passphrase = "correct horse battery staple".toCharArray();
    try (Repository r = Repository.init(repo.options().passphrase(passphrase).build())) {
      r.backup(BackupRequest.of(source));
    }
    List<Path> before = repo.blobs();
    KeyException none = assertThrows(KeyException.class, () -> repo.open());
    assertTrue(none.getMessage().contains("protected by a passphrase"), none.getMessage());
    KeyException wrong = assertThrows(KeyException.class,
        () -> Repository.open(repo.options().passphrase("wrong".toCharArray()).build()));
    assertTrue(wrong.getMessage().startsWith("wrong passphrase for key file"), wrong.getMessage());
    assertEquals(before, repo.blobs(), "failed opens write nothing");
    try (Repository r = Repository.open(repo.options().passphrase(passphrase).build())) {
      assertEquals(1, r.snapshots().size());
    }
  }

  @Test
  void theRepositoryCopyOfAPassphraseKeyOpensItWithoutTheKeyFile() throws IOException {
    char[] passphrase = "only the passphrase".toCharArray();
    try (Repository r = Repository.init(repo.options().passphrase(passphrase).build())) {
      Files.delete(r.info().keyFile());
    }
    try (Repository r = Repository.open(repo.options().passphrase(passphrase).build())) {
      assertTrue(r.info().fullKey());
    }
  }

  @Test
  void missingOrForeignKeysGetOneClearError() throws IOException {
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
    }
    TestRepo other = new TestRepo(temp.resolve("other"));
    Path otherKey;
    try (Repository o = other.init()) {
      otherKey = o.info().keyFile();
    }
    List<Path> before = repo.blobs();

    KeyException foreign = assertThrows(KeyException.class,
        () -> Repository.open(repo.options().keyFile(otherKey).build()));
    assertTrue(foreign.getMessage().contains("belongs to repository"), foreign.getMessage());

    KeyException missing = assertThrows(KeyException.class,
        () -> Repository.open(repo.options().configDirectory(temp.resolve("empty-config")).build()));
    assertTrue(missing.getMessage().startsWith("no key for repository"), missing.getMessage());

    KeyException noFile = assertThrows(KeyException.class,
        () -> Repository.open(repo.options().keyFile(temp.resolve("nope.key")).build()));
    assertTrue(noFile.getMessage().contains("does not exist"), noFile.getMessage());

    Path garbage = Files.writeString(temp.resolve("garbage.key"), "not a key\n");
    KeyException notAKey = assertThrows(KeyException.class,
        () -> Repository.open(repo.options().keyFile(garbage).build()));
    assertTrue(notAKey.getMessage().contains("is not a usable bakare key file"), notAKey.getMessage());

    assertEquals(before, repo.blobs(), "failed opens write nothing");
  }

  @Test
  void openingANonRepositoryFailsClearly() throws IOException {
    Files.createDirectories(repo.location);
    RepositoryNotFoundException e = assertThrows(RepositoryNotFoundException.class, () -> repo.open());
    assertTrue(e.getMessage().startsWith("no bakare repository at"), e.getMessage());
  }

  @Test
  void initRefusesANonEmptyLocationAndWritesNoKey() throws IOException {
    Files.createDirectories(repo.location);
    Files.writeString(repo.location.resolve("precious.txt"), "user data");
    RepositoryException e = assertThrows(RepositoryException.class, () -> repo.init());
    assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
    assertFalse(Files.exists(repo.configDirectory.resolve("keys")) && TreeAssertions.names(repo.configDirectory.resolve("keys")).size() > 0);
  }
}
