package dev.bakare.store.s3;

import dev.bakare.BackupRequest;
import dev.bakare.CheckRequest;
import dev.bakare.CheckResult;
import dev.bakare.Repository;
import dev.bakare.RepositoryOptions;
import dev.bakare.RestoreResult;
import dev.bakare.Snapshot;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * A backup, restore and check in a child JVM, for {@link S3PacketLossTest}: {@code <endpoint> <location>
 * <source> <restore target> <key directory>}. Prints {@code RESULT retries=N identical=true|false
 * clean=true|false}, and fails (a non-zero exit) unless the restore is identical and the check clean.
 */
public final class NetnsBackupMain {
  private NetnsBackupMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> storage = S3Server.with(S3Server.options(URI.create(args[0])), "s3.timeout", "10s");
    Path source = Path.of(args[2]);
    Path target = Path.of(args[3]);
    RepositoryOptions options =
        RepositoryOptions.builder().location(args[1]).storageOptions(storage).configDirectory(Path.of(args[4])).build();
    boolean identical;
    boolean clean;
    int retries;
    try (RetryLog log = new RetryLog()) {
      long start = System.nanoTime();
      Snapshot snapshot;
      try (Repository repository = Repository.init(options)) {
        snapshot = repository.backup(BackupRequest.of(source));
      }
      long backupMillis = (System.nanoTime() - start) / 1_000_000;
      start = System.nanoTime();
      CheckResult check;
      try (Repository repository = Repository.open(options)) {
        RestoreResult restored = repository.restore(snapshot.id(), target);
        if (!restored.isComplete()) {
          System.out.println("restore errors: " + restored.errors());
        }
        check = repository.check(CheckRequest.readAllData());
      }
      long restoreMillis = (System.nanoTime() - start) / 1_000_000;
      identical = TestTree.digests(source).equals(TestTree.digests(TestTree.restored(target, source)));
      clean = check.isClean();
      retries = log.retries().size();
      System.out.println("backup " + backupMillis + " ms, restore and check " + restoreMillis + " ms");
      System.out.println("retries by cause: " + log.causes());
      log.summaries().forEach(System.out::println);
      if (!clean) {
        System.out.println("check: " + check);
      }
    }
    System.out.println("RESULT retries=" + retries + " identical=" + identical + " clean=" + clean);
    System.out.flush();
    if (!identical || !clean) {
      throw new AssertionError("the restore through packet loss is " + (identical ? "" : "not ") + "identical and the"
          + " check is " + (clean ? "clean" : "not clean"));
    }
  }
}
