/** Reaching into the JDK where its public API costs too much per file; always with a public fallback. */
@NullMarked
package dev.bakare.internal.jdk;

import org.jspecify.annotations.NullMarked;
