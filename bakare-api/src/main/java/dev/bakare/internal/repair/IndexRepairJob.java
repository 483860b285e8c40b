package dev.bakare.internal.repair;

import dev.bakare.IndexRepairResult;
import dev.bakare.IntegrityException;
import dev.bakare.internal.content.IndexSegment;
import dev.bakare.internal.content.PackHeaders;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.protocol.MaintenanceLease;
import dev.bakare.internal.repo.Engine;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the index again from the packs' own headers, then removes the old segments, damaged ones
 * included. A pack whose header is damaged keeps the entries a readable old segment gives it. Old
 * segments are listed before the packs, so every segment a concurrent backup writes for packs uploaded
 * after that listing survives.
 */
public final class IndexRepairJob {
  private final Engine engine;
  private final Duration lease;

  public IndexRepairJob(Engine engine, Duration lease) {
    this.engine = engine;
    this.lease = lease;
  }

  public IndexRepairResult run() throws IOException {
    engine.requireFullKey("repairing the index");
    try (MaintenanceLease held = MaintenanceLease.acquire(engine.store(), lease, "repair index")) {
      List<BlobName> oldSegments = engine.indexSegmentNames();
      Map<ObjectId, IndexSegment.IndexedPack> fromSegments = new HashMap<>();
      for (BlobName name : oldSegments) {
        try {
          for (IndexSegment.IndexedPack pack : engine.readIndexSegment(name).packs()) {
            fromSegments.putIfAbsent(pack.pack().id(), pack);
          }
        } catch (IntegrityException | BlobNotFoundException e) {
          // Damaged or gone: the headers below replace what it listed.
        }
      }
      List<String> problems = new ArrayList<>();
      List<IndexSegment.IndexedPack> packs = new ArrayList<>();
      int done = 0;
      for (Map.Entry<ObjectId, Long> pack : engine.packsInStorage().entrySet()) {
        try {
          packs.add(PackHeaders.read(engine.store(), engine.sealing(), pack.getKey(), pack.getValue()));
        } catch (IntegrityException e) {
          IndexSegment.IndexedPack known = fromSegments.get(pack.getKey());
          if (known != null) {
            packs.add(known);
            problems.add(e.getMessage() + "; kept the entries an old index segment gave it");
          } else {
            problems.add(e.getMessage() + "; no index segment lists it, so its chunks are lost (check tells which files)");
          }
        } catch (BlobNotFoundException e) {
          // Deleted since the listing.
        }
        if (++done % 1000 == 0) {
          held.renew();
        }
      }
      held.renew();
      List<BlobName> written = engine.writeIndexSegments(packs);
      long removed = 0;
      for (BlobName old : oldSegments) {
        if (!written.contains(old)) {
          engine.store().delete(old);
          removed++;
        }
      }
      return new IndexRepairResult(packs.size(), written.size(), removed, problems);
    }
  }
}
