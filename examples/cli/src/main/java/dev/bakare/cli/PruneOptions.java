package dev.bakare.cli;

import dev.bakare.PruneRequest;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options of a prune, shared by {@code prune} and {@code forget --prune}. */
final class PruneOptions {
  @Option(names = "--grace", paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "how long what a prune marked waits before a later prune may delete it (default: 1h),"
          + " " + Durations.EXAMPLES)
  @Nullable Duration grace;

  @Option(names = "--session-expiry", paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "how long a backup may go without a heartbeat before a prune judges it abandoned"
          + " (default: 1h); such a backup is not lost: when it resumes it stores again what was pruned")
  @Nullable Duration sessionExpiry;

  @Option(names = "--lease", paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "how long this prune's claim on maintenance lasts unless renewed; another prune is refused"
          + " meanwhile (default: 30m, or the session expiry if longer). After a prune crashed, a short lease lets"
          + " the next one run at once")
  @Nullable Duration lease;

  @Option(names = "--max-unused", paramLabel = "N%",
      description = "unused space that may stay in partly used packs, as a share of the used space"
          + " (default: 2%%); lower repacks more")
  @Nullable String maxUnused;

  /** The request these options describe. */
  PruneRequest request(boolean dryRun) throws CliException {
    PruneRequest.Builder request = PruneRequest.builder().dryRun(dryRun);
    if (grace != null) {
      request.grace(grace);
    }
    if (sessionExpiry != null) {
      if (sessionExpiry.isZero()) {
        throw CliException.usage("--session-expiry must be longer than 0s: every backup would be judged abandoned");
      }
      request.sessionExpiry(sessionExpiry);
    }
    if (lease != null) {
      if (lease.isZero()) {
        throw CliException.usage("--lease must be longer than 0s");
      }
      request.lease(lease);
    }
    if (maxUnused != null) {
      request.maxUnused(Percent.parse("--max-unused", maxUnused, 0, 100) / 100);
    }
    return request.build();
  }

  /** Whether any prune option was given (they mean nothing to {@code forget} without {@code --prune}). */
  boolean given() {
    return grace != null || sessionExpiry != null || lease != null || maxUnused != null;
  }
}
