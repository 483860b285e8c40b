/**
 * Finding files by name across snapshots: the fuzzy scorer and the other pattern modes, the local name
 * index (its format, cache and builder), and the search that walks it.
 */
@NullMarked
package dev.bakare.internal.find;

import org.jspecify.annotations.NullMarked;
