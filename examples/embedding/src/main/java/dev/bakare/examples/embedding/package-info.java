/** {@link dev.bakare.examples.embedding.BackupAndRestore}: bakare used from Java code. */
@NullMarked
package dev.bakare.examples.embedding;

import org.jspecify.annotations.NullMarked;
