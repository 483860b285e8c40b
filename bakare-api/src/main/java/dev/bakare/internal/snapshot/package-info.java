/** Snapshot manifests: a summary any key reads, and a detail only the full key reads. */
@NullMarked
package dev.bakare.internal.snapshot;

import org.jspecify.annotations.NullMarked;
