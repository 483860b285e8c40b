/** Forget and prune: retention policies, marking unreferenced packs, sweeping earlier marks, repacking. */
@NullMarked
package dev.bakare.internal.prune;

import org.jspecify.annotations.NullMarked;
