package dev.bakare.cli;

import dev.bakare.FileEntry;
import dev.bakare.FileError;
import dev.bakare.FoundPath;
import dev.bakare.FoundVersion;
import dev.bakare.Snapshot;
import dev.bakare.SnapshotId;
import dev.bakare.SnapshotStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSON shapes of the API's objects, shared by the commands that print them. Names are snake_case and
 * sizes are in bytes; times are ISO-8601 instants in UTC.
 */
final class JsonViews {
  private JsonViews() {}

  static Json snapshot(Snapshot s) {
    SnapshotStats stats = s.stats();
    SnapshotId parent = s.parent();
    return Json.object()
        .put("id", s.id().hex())
        .put("short_id", s.id().shortId())
        .put("time", s.time().toString())
        .put("host", s.host())
        .put("username", s.username())
        .put("tags", s.tags())
        .put("paths", s.paths())
        .put("parent", parent == null ? null : parent.hex())
        .put("files", stats.files())
        .put("unchanged_files", stats.unchangedFiles())
        .put("directories", stats.directories())
        .put("total_bytes", stats.totalBytes())
        .put("new_bytes", stats.newBytes())
        .put("stored_bytes", stats.storedBytes())
        .put("error_count", stats.errorCount())
        .put("partial", s.isPartial())
        .put("errors", errors(s.errors()));
  }

  static List<Json> errors(List<FileError> errors) {
    return errors.stream().map(e -> Json.object().put("path", e.path()).put("reason", e.reason())).toList();
  }

  /** A found path with its versions, oldest first; {@code rank} 0 when unranked. */
  static Json found(FoundPath path, int rank) {
    List<Json> versions = new ArrayList<>();
    for (FoundVersion v : path.versions()) {
      versions.add(Json.object()
          .put("snapshot_id", v.snapshot().hex())
          .put("short_id", v.snapshot().shortId())
          .put("snapshot_time", v.snapshotTime().toString())
          .put("host", v.host())
          .put("type", v.type().name().toLowerCase(Locale.ROOT))
          .put("size", v.size())
          .put("mtime", v.mtime().toString())
          .put("change", v.change().name().toLowerCase(Locale.ROOT)));
    }
    Json json = Json.object();
    if (rank > 0) {
      json.put("rank", rank);
    }
    return json.put("path", path.path()).put("score", path.score()).put("versions", versions);
  }

  static Json entry(FileEntry e) {
    return Json.object()
        .put("path", e.path())
        .put("type", e.type().name().toLowerCase(Locale.ROOT))
        .put("mode", String.format(Locale.ROOT, "%04o", e.mode()))
        .put("permissions", Format.mode(e.type(), e.mode()))
        .put("user", e.user())
        .put("group", e.group())
        .put("size", e.size())
        .put("mtime", e.mtime().toString())
        .put("link_target", e.linkTarget().isEmpty() ? null : e.linkTarget())
        .put("error", e.error().isEmpty() ? null : e.error());
  }
}
