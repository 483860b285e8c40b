/**
 * The bakare API: {@link dev.bakare.Repository} with its options, requests and results.
 */
@NullMarked
package dev.bakare;

import org.jspecify.annotations.NullMarked;
