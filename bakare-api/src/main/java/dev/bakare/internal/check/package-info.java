/** Verifying a repository: structure, and optionally every byte of its packs. */
@NullMarked
package dev.bakare.internal.check;

import org.jspecify.annotations.NullMarked;
