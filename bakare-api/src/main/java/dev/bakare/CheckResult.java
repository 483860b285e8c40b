package dev.bakare;

import java.util.List;

/**
 * What {@link Repository#check} found.
 *
 * @param problems damaged or missing objects, each with what it affects; empty when the repository is
 *     sound
 * @param notes observations that are not damage, such as packs no index lists (left by an interrupted
 *     backup, reclaimed by prune)
 * @param snapshots snapshots checked
 * @param trees distinct trees checked
 * @param packs packs in the repository
 * @param chunks chunks the index lists (data and trees; a chunk stored in two packs counts twice)
 * @param packsRead packs read whole and verified
 */
public record CheckResult(List<Problem> problems, List<String> notes, long snapshots, long trees, long packs,
    long chunks, long packsRead) {

  public CheckResult {
    problems = List.copyOf(problems);
    notes = List.copyOf(notes);
  }

  public boolean isClean() {
    return problems.isEmpty();
  }

  /**
   * One damaged or missing object.
   *
   * @param object its name in the repository ({@code data/ab/ab12...}, {@code index/...}, {@code
   *     snapshots/...}) or a chunk or tree id
   * @param description what is wrong
   * @param affects the snapshots and files that lose data because of it (at most a few, then a count)
   */
  public record Problem(String object, String description, List<String> affects) {
    public Problem {
      affects = List.copyOf(affects);
    }

    @Override
    public String toString() {
      return object + ": " + description + (affects.isEmpty() ? "" : " (affects " + String.join(", ", affects) + ")");
    }
  }
}
