package dev.bakare.internal.find;

/**
 * Reads one tree record of a {@link NameSegment} field by field, without allocating and without checks:
 * {@link NameSegment#decode} checked every record when the file was loaded. Reusable; not thread-safe.
 *
 * <p>Call {@link #open}, then {@link #nextDirectory} {@link #directories} times, then {@link #nextEntry}
 * {@link #entries} times; each call fills the public fields it names.
 */
final class RecordCursor {
  private byte[] data = new byte[0];
  private int position;
  private long seconds;

  int directories;
  int entries;

  /** Set by {@link #nextDirectory}: the directory's name, and its subtree's ordinal or -1. */
  int directoryName;
  int subtree;

  /** Set by {@link #nextEntry}. */
  int name;
  int kind;
  long size;
  long mtimeSeconds;
  int mtimeNanos;
  long fingerprint;

  void open(NameSegment segment, int local) {
    data = segment.data;
    position = segment.recordStart(local);
    directories = (int) varint();
    entries = -1;
  }

  void nextDirectory() {
    directoryName = (int) varint();
    subtree = (int) varint() - 1;
  }

  /** Moves past the directories not read yet and reads the entry count. */
  void skipToEntries(int directoriesRead) {
    for (int d = directoriesRead; d < directories; d++) {
      varint();
      varint();
    }
    entries = (int) varint();
    seconds = 0;
  }

  void nextEntry() {
    name = (int) varint();
    kind = data[position++] & 0xFF;
    size = varint();
    long v = varint();
    seconds += (v >>> 1) ^ -(v & 1);
    mtimeSeconds = seconds;
    mtimeNanos = (int) varint();
    long f = 0;
    for (int i = 0; i < 8; i++) {
      f = (f << 8) | (data[position++] & 0xFFL);
    }
    fingerprint = f;
  }

  private long varint() {
    long result = 0;
    for (int shift = 0; ; shift += 7) {
      int b = data[position++] & 0xFF;
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
  }
}
