/** Backup: walking source trees, reading and chunking files, building trees, committing a snapshot. */
@NullMarked
package dev.bakare.internal.backup;

import org.jspecify.annotations.NullMarked;
