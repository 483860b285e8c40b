/** Bounds-checked binary encoding shared by every on-storage format. */
@NullMarked
package dev.bakare.internal.format;

import org.jspecify.annotations.NullMarked;
