/** Threads and executors shared by the jobs. */
@NullMarked
package dev.bakare.internal.concurrent;

import org.jspecify.annotations.NullMarked;
