/**
 * The lock-free concurrency protocol: writer sessions with heartbeats and an atomic commit claim,
 * two-phase tombstones, and the maintenance lease (see docs/design.md, "Concurrency").
 */
@NullMarked
package dev.bakare.internal.protocol;

import org.jspecify.annotations.NullMarked;
