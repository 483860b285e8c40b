/** Files in the local cache directory: private directories, files that appear complete or not at all. */
@NullMarked
package dev.bakare.internal.cache;

import org.jspecify.annotations.NullMarked;
