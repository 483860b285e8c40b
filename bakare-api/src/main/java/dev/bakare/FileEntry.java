package dev.bakare;

import java.time.Instant;

/**
 * One entry of a snapshot, as {@code ls} shows it.
 *
 * @param path its absolute path inside the snapshot, such as {@code /home/me/docs/a.txt}
 * @param type its kind
 * @param mode permission bits ({@code 07777})
 * @param size length in bytes (files only)
 * @param mtime last modification
 * @param user owner name, or the numeric uid if the name was unknown
 * @param group group name, or the numeric gid
 * @param linkTarget a symlink's target, empty otherwise
 * @param error why the entry's content is missing from the snapshot, empty if it is not
 */
public record FileEntry(
    String path, FileType type, int mode, long size, Instant mtime, String user, String group, String linkTarget,
    String error) {}
