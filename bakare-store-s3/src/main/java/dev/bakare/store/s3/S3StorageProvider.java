package dev.bakare.store.s3;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProvider;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;

/**
 * Stores blobs as objects in an S3 bucket: {@code s3://bucket/prefix}, on AWS or any S3-compatible
 * server. Blob {@code data/ab/abcd} is the object {@code prefix/data/ab/abcd}; without a prefix, {@code
 * data/ab/abcd}.
 *
 * <p>Configuration, each setting from the first place that has it (docs/s3.md has the details):
 *
 * <ul>
 *   <li>endpoint: option {@code s3.endpoint=URL}, {@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL};
 *       else AWS.
 *   <li>region: option {@code s3.region}, {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, the region of
 *       the AWS profile ({@code AWS_PROFILE}); else {@code us-east-1}, following the bucket to its region
 *       on AWS.
 *   <li>addressing: option {@code s3.path-style=true|false}; by default path-style for endpoints that are
 *       IP addresses or {@code localhost}, virtual-hosted otherwise.
 *   <li>credentials: the AWS SDK's default chain (environment, {@code AWS_PROFILE} and the profile files,
 *       web identity, container and instance roles), which is preferred; or options {@code
 *       s3.access-key-id} and {@code s3.secret-access-key}, meant for tests, since options end up in
 *       command lines and scripts.
 *   <li>{@code s3.connections=N}: the connection pool (16 by default), also reported as the store's
 *       recommended concurrency, so that the engine keeps that many uploads in flight.
 *   <li>{@code s3.timeout=DURATION}: how long a connection may wait for the server (60s by default);
 *       an upload may take that plus its size at 64 KiB/s.
 *   <li>{@code s3.conditional-put=auto|true|false}: see below.
 * </ul>
 *
 * Unknown {@code s3.} options and options for other providers are refused.
 *
 * <p>How the {@link BlobStore} guarantees are kept:
 *
 * <ul>
 *   <li>Puts are single PUTs up to 32 MiB and multipart uploads (16 MiB parts) above; S3 makes either
 *       visible whole or not at all. A failed multipart upload is aborted, and those a killed process left
 *       are aborted by {@link BlobStore#removeIncompleteUploads} (a prune) once older than its age.
 *   <li>Create-only puts send {@code If-None-Match: *}: of two concurrent creators the server lets exactly
 *       one win and answers the other 412. When opening, a probe object ({@code prefix/~probe-...}) is put
 *       twice to learn whether the server honours the header. Where it does not (or with {@code
 *       s3.conditional-put=false}), create-only is a HEAD and then a PUT, two creators can both win, and
 *       {@link dev.bakare.store.spi.StoreCapabilities#atomicCreateOnly()} says false. That is safe for
 *       bakare's content-addressed blobs, whose name fixes their bytes.
 *   <li>Range reads check the answer's length: a blob shorter than the range fails permanently.
 *   <li>Listings page through ListObjectsV2 and report only keys that are valid blob names.
 *   <li>The SDK does not retry: retries, with backoff, deadlines and counters, are the caller's wrapper's.
 *       Errors say whether retrying may help (network failures, 5xx, throttling) or not (access denied,
 *       a missing bucket, a wrong region).
 * </ul>
 *
 * <p>Buckets are not created: {@link OpenMode#CREATE} and {@link OpenMode#EXISTING} both require the bucket
 * to exist and be listable with the credentials, and fail at once otherwise. Creating a bucket means
 * choosing its region, access policy, versioning and lifecycle rules, and backup credentials should not
 * hold that right.
 */
public final class S3StorageProvider implements StorageProvider {
  /** The URI scheme served, {@code s3}. */
  public static final String SCHEME = "s3";

  private final Map<String, String> environment;
  private final Supplier<Optional<String>> profileRegion;

  /** Reads the process environment; cheap: the work happens in {@link #open}. */
  public S3StorageProvider() {
    this(System.getenv(), S3StorageProvider::regionOfProfile);
  }

  /** With a given environment, for tests. */
  S3StorageProvider(Map<String, String> environment, Supplier<Optional<String>> profileRegion) {
    this.environment = Map.copyOf(environment);
    this.profileRegion = profileRegion;
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Connects to the bucket, checks that it exists and that the credentials may list it, and probes
   * conditional puts (see the class description). The mode makes no difference: buckets are never
   * created.
   */
  @Override
  public BlobStore open(StorageLocation location, OpenMode mode) throws StorageException {
    S3Settings settings = S3Settings.resolve(location, environment, profileRegion);
    return S3BlobStore.open(settings);
  }

  private static Optional<String> regionOfProfile() {
    try {
      return Optional.ofNullable(new AwsProfileRegionProvider().getRegion()).map(region -> region.id());
    } catch (SdkException e) {
      // No profile file, or no region in it: the default applies.
      return Optional.empty();
    }
  }
}
