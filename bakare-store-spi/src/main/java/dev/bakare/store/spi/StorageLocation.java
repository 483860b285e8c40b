package dev.bakare.store.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where a repository lives: a URI whose scheme selects the {@link StorageProvider}, plus provider
 * options such as {@code s3.endpoint}. Parse user input with {@link #parse}: a plain path (absolute or
 * relative) means the local file system.
 *
 * @param uri the location; always absolute (has a scheme)
 * @param options provider options, keyed by names such as {@code s3.region}; unknown keys are rejected by
 *     the provider
 */
public record StorageLocation(URI uri, Map<String, String> options) {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*", Pattern.DOTALL);

  public StorageLocation {
    if (uri.getScheme() == null) {
      throw new IllegalArgumentException("storage location " + uri + " has no scheme");
    }
    options = Map.copyOf(new TreeMap<>(options));
  }

  /** The location's scheme, lower case ({@code file}, {@code s3}, ...). */
  public String scheme() {
    return uri.getScheme().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses what a user typed: a URI with a scheme of two or more letters ({@code s3://bucket/prefix},
   * {@code file:///backups/repo}), or else a file system path ({@code /backups/repo}, {@code repo}).
   *
   * @throws StorageException if the text is neither a valid URI nor a valid path
   */
  public static StorageLocation parse(String text, Map<String, String> options) throws StorageException {
    if (text.isBlank()) {
      throw new StorageException("repository location is empty: give a path or a URI such as s3://bucket/prefix");
    }
    if (SCHEME.matcher(text).matches()) {
      try {
        return new StorageLocation(new URI(text), options);
      } catch (URISyntaxException e) {
        throw new StorageException("malformed repository location '" + text + "': " + e.getReason().toLowerCase(java.util.Locale.ROOT)
            + " at index " + e.getIndex() + "; write a path, or a URI such as s3://bucket/prefix or file:///path", e);
      }
    }
    try {
      return new StorageLocation(Path.of(text).toAbsolutePath().normalize().toUri(), options);
    } catch (InvalidPathException e) {
      throw new StorageException("malformed repository path '" + text + "': " + e.getReason(), e);
    }
  }

  /** Returns {@link #uri()} as text, which is what users typed for URIs and a {@code file:} URI for paths. */
  @Override
  public String toString() {
    return uri.toString();
  }
}
