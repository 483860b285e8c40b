/** Repair: rewriting the index from pack headers, salvaging damaged snapshots. */
@NullMarked
package dev.bakare.internal.repair;

import org.jspecify.annotations.NullMarked;
