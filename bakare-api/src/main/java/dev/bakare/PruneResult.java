package dev.bakare;

import java.util.List;

/**
 * What a prune did (or, for a dry run, would do).
 *
 * @param packsDeleted packs deleted by sweeping earlier marks
 * @param bytesDeleted their bytes
 * @param packsKept packs of earlier marks that a snapshot turned out to need, and that stay
 * @param packsMarked packs marked now, for a later prune to delete
 * @param bytesMarked their bytes
 * @param packsRepacked partly used packs whose used chunks were copied to new packs (and which were
 *     marked)
 * @param bytesRepacked bytes of the new packs written
 * @param sessionsAbandoned backups judged abandoned (no heartbeat for the session expiry)
 * @param waitingFor backups still running that keep earlier marks from being swept, described for humans
 * @param incompleteUploadBytes bytes of uploads that never finished (a process killed during a put), removed
 * @param dryRun whether nothing was changed
 */
public record PruneResult(
    long packsDeleted,
    long bytesDeleted,
    long packsKept,
    long packsMarked,
    long bytesMarked,
    long packsRepacked,
    long bytesRepacked,
    long sessionsAbandoned,
    List<String> waitingFor,
    long incompleteUploadBytes,
    boolean dryRun) {

  public PruneResult {
    waitingFor = List.copyOf(waitingFor);
  }
}
