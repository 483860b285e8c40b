package dev.bakare.chunking;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds {@link ChunkerFactory}s by name. */
public final class Chunkers {
  /** The name of the default algorithm. */
  public static final String DEFAULT = "fastcdc-v1";

  private Chunkers() {}

  /**
   * Returns the factory named {@code name}.
   *
   * @throws IllegalArgumentException if no factory of that name is on the class or module path
   */
  public static ChunkerFactory factory(String name) {
    List<String> known = new ArrayList<>();
    for (ChunkerFactory factory : ServiceLoader.load(ChunkerFactory.class, Chunkers.class.getClassLoader())) {
      if (factory.name().equals(name)) {
        return factory;
      }
      known.add(factory.name());
    }
    throw new IllegalArgumentException(
        "unknown chunker '"
            + name
            + "' (available: "
            + (known.isEmpty() ? "none" : String.join(", ", known))
            + "): the repository needs a chunker of that name; put the jar that provides it on the class"
            + " or module path");
  }
}
