package dev.bakare.examples.embedding;

import dev.bakare.BackupRequest;
import dev.bakare.Repository;
import dev.bakare.RepositoryOptions;
import dev.bakare.RestoreResult;
import dev.bakare.Snapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Backs up a directory into a repository (creating it on first use), lists the snapshots, and restores the
 * newest one: {@code BackupAndRestore REPOSITORY KEY_FILE SOURCE_DIR RESTORE_DIR}.
 */
public final class BackupAndRestore {
  private BackupAndRestore() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: BackupAndRestore REPOSITORY KEY_FILE SOURCE_DIR RESTORE_DIR");
      System.exit(2);
    }
    run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), System.out);
  }

  /** Returns what the restore wrote. */
  public static RestoreResult run(Path repository, Path keyFile, Path source, Path target, PrintStream out)
      throws IOException {
    // The application keeps the key where it likes; init writes it, open reads it.
    RepositoryOptions options = RepositoryOptions.builder().location(repository).keyFile(keyFile).build();
    try (Repository repo = Files.exists(keyFile) ? Repository.open(options) : Repository.init(options)) {
      Snapshot snapshot = repo.backup(BackupRequest.builder().path(source).tag("example").build());
      // A partial snapshot lacks files that could not be read; the application decides what that means.
      snapshot.errors().forEach(error -> out.println("not backed up: " + error));
      for (Snapshot s : repo.snapshots()) {
        out.printf("%s  %s  %d files, %d new bytes%n", s.id().shortId(), s.time(), s.stats().files(),
            s.stats().newBytes());
      }
      RestoreResult result = repo.restore(repo.snapshot("latest").id(), target);
      out.printf("restored %d files (%d bytes) into %s%n", result.files(), result.bytes(), target);
      return result;
    }
  }
}
