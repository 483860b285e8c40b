package dev.bakare.internal.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds {@link AeadAlgorithm}s by name through {@link ServiceLoader}. */
public final class AeadAlgorithms {
  private AeadAlgorithms() {}

  public static Optional<AeadAlgorithm> byName(String name) {
    for (AeadAlgorithm algorithm : ServiceLoader.load(AeadAlgorithm.class, AeadAlgorithms.class.getClassLoader())) {
      if (algorithm.name().equals(name)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }

  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (AeadAlgorithm algorithm : ServiceLoader.load(AeadAlgorithm.class, AeadAlgorithms.class.getClassLoader())) {
      names.add(algorithm.name());
    }
    return names;
  }
}
