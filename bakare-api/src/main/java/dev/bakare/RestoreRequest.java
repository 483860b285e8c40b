package dev.bakare;

import dev.bakare.internal.restore.SafeNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to restore and where. Immutable; build with {@link #of} or {@link #builder}.
 *
 * @param snapshot the snapshot to restore
 * @param target the directory to restore into; created if missing. Entries keep their absolute paths
 *     below it: {@code /home/me/docs/a.txt} restores to {@code target/home/me/docs/a.txt}
 * @param includes paths inside the snapshot to restore (with everything below them); empty for all
 * @param overwrite what to do where a file exists already
 * @param listener progress and per-file errors
 * @param restoreAs if not null, the one included entry (a file, or a directory with its content) is
 *     restored as {@code target/restoreAs} instead of at its absolute path below {@code target}: this is
 *     how one found version is brought back under a name of the user's choosing
 */
public record RestoreRequest(
    SnapshotId snapshot, Path target, List<String> includes, Overwrite overwrite, ProgressListener listener,
    @Nullable String restoreAs) {

  public RestoreRequest {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(target, "target");
    includes = List.copyOf(includes);
    Objects.requireNonNull(overwrite, "overwrite");
    Objects.requireNonNull(listener, "listener");
    if (restoreAs != null) {
      if (includes.size() != 1 || includes.get(0).replace("/", "").isEmpty()) {
        throw new IllegalArgumentException("restoring as '" + restoreAs + "' needs exactly one included entry"
            + " other than the root, got " + includes);
      }
      String problem = SafeNames.problem(restoreAs);
      if (problem != null) {
        throw new IllegalArgumentException("cannot restore as '" + restoreAs + "', " + problem
            + ": give a plain file name (the directory goes in the target)");
      }
    }
  }

  public static RestoreRequest of(SnapshotId snapshot, Path target) {
    return builder(snapshot, target).build();
  }

  public static Builder builder(SnapshotId snapshot, Path target) {
    return new Builder(snapshot, target);
  }

  /** Builds a {@link RestoreRequest}. */
  public static final class Builder {
    private final SnapshotId snapshot;
    private final Path target;
    private final List<String> includes = new ArrayList<>();
    private Overwrite overwrite = Overwrite.NEVER;
    private ProgressListener listener = ProgressListener.NONE;
    private @Nullable String restoreAs;

    private Builder(SnapshotId snapshot, Path target) {
      this.snapshot = snapshot;
      this.target = target;
    }

    public Builder include(String path) {
      includes.add(path);
      return this;
    }

    public Builder includes(List<String> paths) {
      includes.addAll(paths);
      return this;
    }

    public Builder overwrite(Overwrite value) {
      this.overwrite = value;
      return this;
    }

    public Builder listener(ProgressListener value) {
      this.listener = value;
      return this;
    }

    /** Restores the one included entry as {@code target/name}; see {@link RestoreRequest#restoreAs()}. */
    public Builder restoreAs(@Nullable String name) {
      this.restoreAs = name;
      return this;
    }

    public RestoreRequest build() {
      return new RestoreRequest(snapshot, target, includes, overwrite, listener, restoreAs);
    }
  }
}
