package dev.bakare.store.fs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.StorageException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The errors the JDK raises for conditions this machine cannot produce on demand (or not as root). */
class FileErrorsTest {
  private static final Path ROOT = Path.of("/backups/repo");
  private static final String ACTION = "writing blob data/ab/abcd at /backups/repo/data/ab/abcd";

  @Test
  void permissionDeniedIsPermanentAndPointsAtTheRepositoryDirectory() {
    StorageException e = FileErrors.of(ACTION, ROOT, new AccessDeniedException("/backups/repo/data/ab/~put-1"));
    assertFalse(e.isTransient());
    assertContains(e, "permission denied " + ACTION);
    assertContains(e, "check the owner and mode of the repository directory /backups/repo");
  }

  @Test
  void aFullDiskIsPermanentWhetherTheJdkNamesTheFileOrNot() {
    // Creating a file reports ENOSPC as a FileSystemException; FileChannel.write as a bare IOException.
    for (IOException full :
        new IOException[] {
          new FileSystemException("/backups/repo/data/ab/~put-1", null, "No space left on device"),
          new IOException("No space left on device")
        }) {
      StorageException e = FileErrors.of(ACTION, ROOT, full);
      assertFalse(e.isTransient(), e.getMessage());
      assertContains(e, "no space left on device " + ACTION);
      assertContains(e, "free space");
    }
  }

  @Test
  void aReadOnlyFileSystemIsPermanent() {
    StorageException e = FileErrors.of(ACTION, ROOT, new FileSystemException("/backups/repo", null, "Read-only file system"));
    assertFalse(e.isTransient());
    assertContains(e, "mount the file system read-write");
  }

  @Test
  void otherIoErrorsAreTransientAndKeepTheirReason() {
    StorageException e = FileErrors.of(ACTION, ROOT, new FileSystemException("/backups/repo", null, "Input/output error"));
    assertTrue(e.isTransient(), "an unexplained I/O error may come from a network mount that recovers");
    assertContains(e, ACTION);
    assertContains(e, "Input/output error");
  }

  @Test
  void storageExceptionsPassThrough() {
    StorageException original = new StorageException("already explained");
    assertSame(original, FileErrors.of(ACTION, ROOT, original));
  }

  private static void assertContains(StorageException e, String expected) {
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
