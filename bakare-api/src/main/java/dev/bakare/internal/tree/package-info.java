/** Directory trees: nodes with metadata and content references, encoded deterministically. */
@NullMarked
package dev.bakare.internal.tree;

import org.jspecify.annotations.NullMarked;
