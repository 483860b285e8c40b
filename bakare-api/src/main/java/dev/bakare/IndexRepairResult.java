package dev.bakare;

import java.util.List;

/**
 * What {@link Repository#repairIndex()} did.
 *
 * @param packsIndexed packs now listed by the new index segments
 * @param segmentsWritten new index segments
 * @param segmentsRemoved old index segments removed (damaged ones included)
 * @param problems packs whose header is damaged, with what became of their chunks
 */
public record IndexRepairResult(long packsIndexed, long segmentsWritten, long segmentsRemoved, List<String> problems) {
  public IndexRepairResult {
    problems = List.copyOf(problems);
  }
}
