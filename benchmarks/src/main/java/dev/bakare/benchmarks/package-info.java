/** JMH benchmarks of bakare's hot path, and cold-start measurements that JMH's warm-up would hide. */
@NullMarked
package dev.bakare.benchmarks;

import org.jspecify.annotations.NullMarked;
