/** Restore: planning from trees, reading each pack once, positional and sparse writes, metadata. */
@NullMarked
package dev.bakare.internal.restore;

import org.jspecify.annotations.NullMarked;
