package dev.bakare.internal.content;

import dev.bakare.IntegrityException;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.store.BlobBytes;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import java.io.IOException;
import java.util.List;

/**
 * Reads what a pack says about itself: its trailer, then its sealed header. This is how the index is
 * rebuilt when a segment is damaged or missing. Needs the full key.
 */
public final class PackHeaders {
  private PackHeaders() {}

  /**
   * The pack's chunks as its header lists them.
   *
   * @param size the pack's size, from the listing
   * @throws IntegrityException naming the pack if its trailer or header is damaged
   */
  public static IndexSegment.IndexedPack read(BlobStore store, Sealing sealing, ObjectId pack, long size)
      throws IOException {
    BlobName name = Layout.pack(pack);
    try {
      if (size < PackFormat.TRAILER_LENGTH) {
        throw new CorruptDataException("it is " + size + " bytes, shorter than a trailer");
      }
      byte[] tail = BlobBytes.array(store.get(name, size - PackFormat.TRAILER_LENGTH, PackFormat.TRAILER_LENGTH));
      PackFormat.Trailer trailer = PackFormat.parseTrailer(tail, 0, size);
      long headerStart = size - PackFormat.TRAILER_LENGTH - trailer.sealedHeaderLength();
      byte[] header = BlobBytes.array(store.get(name, headerStart, trailer.sealedHeaderLength()));
      return open(sealing, pack, trailer, header, 0, headerStart);
    } catch (CorruptDataException e) {
      throw new IntegrityException(name.value(), "its header cannot be read: " + e.getMessage(), e);
    }
  }

  /** What a whole pack, already read, says about itself. */
  public static IndexSegment.IndexedPack parse(Sealing sealing, ObjectId pack, byte[] bytes) throws IOException {
    return parse(sealing, pack, bytes, bytes.length);
  }

  /** As {@link #parse(Sealing, ObjectId, byte[])}, for a pack that is the first {@code length} bytes of {@code bytes}. */
  public static IndexSegment.IndexedPack parse(Sealing sealing, ObjectId pack, byte[] bytes, int length)
      throws IOException {
    BlobName name = Layout.pack(pack);
    try {
      if (length < PackFormat.TRAILER_LENGTH) {
        throw new CorruptDataException("it is " + length + " bytes, shorter than a trailer");
      }
      PackFormat.Trailer trailer = PackFormat.parseTrailer(bytes, length - PackFormat.TRAILER_LENGTH, length);
      int headerStart = length - PackFormat.TRAILER_LENGTH - trailer.sealedHeaderLength();
      return open(sealing, pack, trailer, bytes, headerStart, headerStart);
    } catch (CorruptDataException e) {
      throw new IntegrityException(name.value(), "its header cannot be read: " + e.getMessage(), e);
    }
  }

  /** Opens the sealed header found at {@code offset} in {@code bytes}; it starts at {@code headerStart} in the pack. */
  private static IndexSegment.IndexedPack open(Sealing sealing, ObjectId pack, PackFormat.Trailer trailer, byte[] bytes,
      int offset, long headerStart) throws CorruptDataException {
    List<PackEntry> entries = PackFormat.openHeader(sealing.aeadFor(trailer.ephemeralPublic(), PackBuilder.KEY_PURPOSE),
        bytes, offset, trailer.sealedHeaderLength(), headerStart);
    return new IndexSegment.IndexedPack(new PackRef(pack, trailer.ephemeralPublic()), entries);
  }
}
