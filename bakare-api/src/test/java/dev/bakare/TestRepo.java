package dev.bakare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A repository in a temporary directory, with its key kept beside it (never in the user's config). */
final class TestRepo {
  final Path root;
  final Path location;
  final Path configDirectory;

  TestRepo(Path temp) {
    this.root = temp;
    this.location = temp.resolve("repo");
    this.configDirectory = temp.resolve("config");
  }

  RepositoryOptions.Builder options() {
    return RepositoryOptions.builder().location(location.toString()).configDirectory(configDirectory)
        .cacheDirectory(cacheDirectory());
  }

  /** The cache directory its options name. */
  Path cacheDirectory() {
    return root.resolve("cache");
  }

  Repository init() throws IOException {
    return Repository.init(options().build());
  }

  Repository open() throws IOException {
    return Repository.open(options().build());
  }

  /** Total bytes of all blobs in the repository. */
  long size() throws IOException {
    try (Stream<Path> files = Files.walk(location)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** Every blob of the repository. */
  List<Path> blobs() throws IOException {
    try (Stream<Path> files = Files.walk(location)) {
      return new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
    }
  }

  /** Every pack file. */
  List<Path> packs() throws IOException {
    try (Stream<Path> files = Files.walk(location.resolve("data"))) {
      return new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
    }
  }
}
