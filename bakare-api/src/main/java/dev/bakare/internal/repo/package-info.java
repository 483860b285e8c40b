/** The repository: config, key files, and the engine behind the public facade. */
@NullMarked
package dev.bakare.internal.repo;

import org.jspecify.annotations.NullMarked;
