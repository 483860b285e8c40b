/** The content layer: chunk ids, compression, packs, index segments and the content store. */
@NullMarked
package dev.bakare.internal.content;

import org.jspecify.annotations.NullMarked;
