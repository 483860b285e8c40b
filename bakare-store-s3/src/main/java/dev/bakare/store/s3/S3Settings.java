package dev.bakare.store.s3;

import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Everything needed to reach one repository in a bucket, resolved from the location, its options and the
 * standard AWS environment, in that order of precedence. Credentials other than those given as options
 * are resolved later, by the AWS SDK's default chain.
 *
 * @param bucket the bucket name
 * @param prefix the key prefix without leading or trailing slash; empty for the bucket's root
 * @param endpoint the endpoint to use instead of AWS's, or null for AWS
 * @param region the signing region
 * @param regionConfigured whether the region came from the user (option, environment or profile)
 *     rather than the default
 * @param pathStyle whether requests name the bucket in the path instead of the host name
 * @param connections the size of the connection pool, which is also how many requests run at once
 * @param accessKeyId the access key from the options, or null to use the default credential chain
 * @param secretAccessKey the secret key from the options, or null with {@code accessKeyId}
 * @param conditionalPut how create-only puts are made atomic
 * @param timeout how long a connection may wait for the server before the attempt is abandoned
 */
record S3Settings(
    String bucket,
    String prefix,
    @Nullable URI endpoint,
    String region,
    boolean regionConfigured,
    boolean pathStyle,
    int connections,
    @Nullable String accessKeyId,
    @Nullable String secretAccessKey,
    ConditionalPut conditionalPut,
    Duration timeout) {

  static final String ENDPOINT = "s3.endpoint";
  static final String REGION = "s3.region";
  static final String PATH_STYLE = "s3.path-style";
  static final String CONNECTIONS = "s3.connections";
  static final String ACCESS_KEY_ID = "s3.access-key-id";
  static final String SECRET_ACCESS_KEY = "s3.secret-access-key";
  static final String CONDITIONAL_PUT = "s3.conditional-put";
  static final String TIMEOUT = "s3.timeout";

  static final Set<String> OPTIONS =
      Set.of(ENDPOINT, REGION, PATH_STYLE, CONNECTIONS, ACCESS_KEY_ID, SECRET_ACCESS_KEY, CONDITIONAL_PUT, TIMEOUT);

  /** The region requests are signed for when nothing names one; AWS redirects from it to the right one. */
  static final String DEFAULT_REGION = "us-east-1";

  /**
   * Enough requests in flight to fill a long fat link with 16 MiB packs (16 x 16 MiB = 256 MiB), and few
   * enough that a home router or a server's per-client limit copes.
   */
  static final int DEFAULT_CONNECTIONS = 16;

  static final int MAX_CONNECTIONS = 1024;

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** How create-only puts are made atomic (option {@code s3.conditional-put}). */
  enum ConditionalPut {
    /** Probe the server once when opening: does it refuse a second {@code If-None-Match: *} put? */
    AUTO,
    /** Trust the server to honour {@code If-None-Match: *} without probing. */
    TRUE,
    /** The server ignores {@code If-None-Match}: check with HEAD, then put (not atomic). */
    FALSE
  }

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern REGION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");

  S3Settings {
    if (accessKeyId == null ^ secretAccessKey == null) {
      throw new IllegalArgumentException("an access key id needs its secret key, and a secret key its id");
    }
  }

  /**
   * Resolves the settings for {@code location}.
   *
   * @param environment the process environment ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL_S3}, ...)
   * @param profileRegion the region of the active AWS profile, read only when nothing else names one
   * @throws StorageException (permanent) naming the malformed part and how to write it
   */
  static S3Settings resolve(
      StorageLocation location, Map<String, String> environment, Supplier<Optional<String>> profileRegion)
      throws StorageException {
    URI uri = location.uri();
    String bucket = bucketOf(uri);
    String prefix = prefixOf(uri);
    Map<String, String> options = location.options();
    checkOptionNames(location);

    URI endpoint = null;
    String endpointSource = null;
    for (String[] source :
        new String[][] {
          {ENDPOINT, options.get(ENDPOINT), "option " + ENDPOINT},
          {"AWS_ENDPOINT_URL_S3", environment.get("AWS_ENDPOINT_URL_S3"), "environment variable AWS_ENDPOINT_URL_S3"},
          {"AWS_ENDPOINT_URL", environment.get("AWS_ENDPOINT_URL"), "environment variable AWS_ENDPOINT_URL"}
        }) {
      if (source[1] != null && !source[1].isBlank()) {
        endpointSource = source[2];
        endpoint = endpointOf(source[1].strip(), endpointSource, location);
        break;
      }
    }

    String region = firstNonBlank(options.get(REGION), environment.get("AWS_REGION"), environment.get("AWS_DEFAULT_REGION"));
    boolean regionConfigured = region != null;
    if (region == null) {
      region = profileRegion.get().orElse(null);
      regionConfigured = region != null;
    }
    if (region == null) {
      region = DEFAULT_REGION;
    }
    region = region.strip();
    if (!REGION_NAME.matcher(region).matches()) {
      throw new StorageException(
          "invalid S3 region '" + region + "' for " + location + ": give a region name such as eu-central-1 with "
              + REGION + " or AWS_REGION");
    }

    boolean pathStyle =
        options.containsKey(PATH_STYLE)
            ? booleanOption(location, PATH_STYLE)
            : endpoint != null && isLocalOrAddress(endpoint.getHost());

    int connections = DEFAULT_CONNECTIONS;
    String connectionsText = options.get(CONNECTIONS);
    if (connectionsText != null) {
      try {
        connections = Integer.parseInt(connectionsText.strip());
      } catch (NumberFormatException e) {
        connections = -1;
      }
      if (connections < 1 || connections > MAX_CONNECTIONS) {
        throw new StorageException(
            "invalid value '" + connectionsText + "' of option " + CONNECTIONS + " for " + location
                + ": give a whole number of connections from 1 to " + MAX_CONNECTIONS);
      }
    }

    String accessKeyId = options.get(ACCESS_KEY_ID);
    String secretAccessKey = options.get(SECRET_ACCESS_KEY);
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new StorageException(
          "option " + (accessKeyId == null ? SECRET_ACCESS_KEY : ACCESS_KEY_ID) + " for " + location
              + " needs " + (accessKeyId == null ? ACCESS_KEY_ID : SECRET_ACCESS_KEY)
              + " too: give both, or neither and use the environment or an AWS profile");
    }
    if (accessKeyId != null && (accessKeyId.isBlank() || secretAccessKey.isBlank())) {
      throw new StorageException(
          "options " + ACCESS_KEY_ID + " and " + SECRET_ACCESS_KEY + " for " + location + " must not be empty");
    }

    ConditionalPut conditionalPut = ConditionalPut.AUTO;
    String conditionalText = options.get(CONDITIONAL_PUT);
    if (conditionalText != null) {
      try {
        conditionalPut = ConditionalPut.valueOf(conditionalText.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new StorageException(
            "invalid value '" + conditionalText + "' of option " + CONDITIONAL_PUT + " for " + location
                + ": give auto (probe the server), true or false",
            e);
      }
    }

    Duration timeout = DEFAULT_TIMEOUT;
    String timeoutText = options.get(TIMEOUT);
    if (timeoutText != null) {
      timeout = durationOf(timeoutText, location);
    }
    return new S3Settings(
        bucket, prefix, endpoint, region, regionConfigured, pathStyle, connections, accessKeyId, secretAccessKey,
        conditionalPut, timeout);
  }

  /** The object key of a blob. */
  String keyOf(BlobName name) {
    return prefix.isEmpty() ? name.value() : prefix + "/" + name.value();
  }

  /** The key prefix under which every blob of this repository lives: empty, or the prefix and a slash. */
  String keyPrefix() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  /** The repository as users write it, {@code s3://bucket/prefix}. */
  String location() {
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  /** The repository and, for servers other than AWS, the endpoint: for messages. */
  String describe() {
    return location() + (endpoint == null ? "" : " at " + endpoint);
  }

  private static String bucketOf(URI uri) throws StorageException {
    if (!uri.getScheme().equalsIgnoreCase(S3StorageProvider.SCHEME)) {
      throw malformed(uri, "its scheme is not s3");
    }
    if (uri.isOpaque()) {
      throw malformed(uri, "the bucket must follow s3://");
    }
    String bucket = uri.getRawAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw malformed(uri, "it names no bucket");
    }
    if (uri.getRawUserInfo() != null || uri.getPort() != -1 || bucket.contains("@") || bucket.contains(":")) {
      throw malformed(uri, "a bucket name has no user or port; give the server with -o " + ENDPOINT + "=URL");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw malformed(uri, "it has a query or fragment");
    }
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..") || IPV4.matcher(bucket).matches()) {
      throw malformed(
          uri,
          "'" + bucket + "' is not a valid bucket name (3 to 63 characters of a-z 0-9 . and -, starting and ending"
              + " with a letter or digit)");
    }
    return bucket;
  }

  private static String prefixOf(URI uri) throws StorageException {
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return "";
    }
    String prefix = path.substring(1);
    if (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!BlobName.isValid(prefix) || prefix.length() > 512) {
      throw malformed(
          uri,
          "prefix '" + prefix + "' is not valid (segments of A-Z a-z 0-9 . _ - separated by single slashes, at most"
              + " 512 characters)");
    }
    return prefix;
  }

  private static StorageException malformed(URI uri, String problem) {
    return new StorageException(
        "malformed S3 location '" + uri + "': " + problem + ": write it as s3://BUCKET or s3://BUCKET/PREFIX");
  }

  private static void checkOptionNames(StorageLocation location) throws StorageException {
    Set<String> unknown = new TreeSet<>(location.options().keySet());
    unknown.removeAll(OPTIONS);
    for (String name : unknown) {
      if (!name.startsWith("s3.")) {
        throw new StorageException(
            "option '" + name + "' does not apply to " + location
                + ": the S3 storage provider takes only options starting with 's3.'; remove it");
      }
    }
    if (!unknown.isEmpty()) {
      throw new StorageException(
          "unknown S3 option" + (unknown.size() > 1 ? "s " : " ") + unknown + " for " + location
              + ": known options are " + new TreeSet<>(OPTIONS) + "; check the spelling");
    }
  }

  private static URI endpointOf(String text, String source, StorageLocation location) throws StorageException {
    URI endpoint;
    try {
      endpoint = new URI(text);
    } catch (URISyntaxException e) {
      throw badEndpoint(text, source, location, e.getReason());
    }
    String scheme = endpoint.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw badEndpoint(text, source, location, "it is not an http:// or https:// URL");
    }
    if (endpoint.getHost() == null) {
      throw badEndpoint(text, source, location, "it has no host name");
    }
    if (endpoint.getRawUserInfo() != null || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw badEndpoint(text, source, location, "it has user information, a query or a fragment");
    }
    return endpoint;
  }

  private static StorageException badEndpoint(String text, String source, StorageLocation location, String problem) {
    return new StorageException(
        "invalid S3 endpoint '" + text + "' from " + source + " for " + location + ": " + problem
            + ": give a URL such as http://127.0.0.1:9000 or https://s3.eu-central-1.amazonaws.com");
  }

  /** IP addresses and localhost have no DNS name per bucket, so virtual-hosted requests cannot reach them. */
  static boolean isLocalOrAddress(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.endsWith(".localhost") || IPV4.matcher(h).matches() || h.startsWith("[");
  }

  private static boolean booleanOption(StorageLocation location, String name) throws StorageException {
    String value = location.options().get(name);
    String normalized = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    if (normalized.equals("true")) {
      return true;
    }
    if (normalized.equals("false")) {
      return false;
    }
    throw new StorageException(
        "invalid value '" + value + "' of option " + name + " for " + location + ": give true or false");
  }

  private static Duration durationOf(String text, StorageLocation location) throws StorageException {
    Matcher m = DURATION.matcher(text.strip());
    Duration duration = null;
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      duration =
          switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
          };
    }
    if (duration == null || duration.compareTo(Duration.ofMillis(100)) < 0 || duration.compareTo(Duration.ofHours(1)) > 0) {
      throw new StorageException(
          "invalid value '" + text + "' of option " + TIMEOUT + " for " + location
              + ": give a duration from 100ms to 60m, such as 500ms, 30s or 2m (a plain number is seconds)");
    }
    return duration;
  }

  private static @Nullable String firstNonBlank(@Nullable String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
