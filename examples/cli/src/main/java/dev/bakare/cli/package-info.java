/** The {@code bakare} command: {@link dev.bakare.cli.Main} parses the command line and runs one command. */
@NullMarked
package dev.bakare.cli;

import org.jspecify.annotations.NullMarked;
