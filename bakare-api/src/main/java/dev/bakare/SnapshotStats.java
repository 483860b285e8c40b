package dev.bakare;

/**
 * What a backup saw and added.
 *
 * @param files regular files in the snapshot
 * @param unchangedFiles of those, files found unchanged since the parent snapshot and not read again
 * @param directories directories in the snapshot
 * @param totalBytes sum of the sizes of its files
 * @param newBytes bytes of file data this backup had to store (not found in the repository)
 * @param storedBytes what it stored, file data and directory trees, after compression
 * @param errorCount files and directories that could not be read
 */
public record SnapshotStats(
    long files, long unchangedFiles, long directories, long totalBytes, long newBytes, long storedBytes, long errorCount) {}
