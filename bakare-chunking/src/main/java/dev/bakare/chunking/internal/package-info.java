/**
 * The built-in chunking algorithms, registered as {@link dev.bakare.chunking.ChunkerFactory} services. Not
 * exported: callers find them by name through {@link dev.bakare.chunking.Chunkers}.
 */
@NullMarked
package dev.bakare.chunking.internal;

import org.jspecify.annotations.NullMarked;
