package dev.bakare.store.s3;

import dev.bakare.store.spi.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Turns AWS SDK failures into {@link StorageException}s that say what failed, on which object, and what to
 * do, and decide whether a retry may help.
 *
 * <p>Transient: every failure to reach the server or to get a whole answer (connection refused or reset,
 * a cut transfer, a timeout, an unresolvable host name, which is what a dropped Wi-Fi looks like), 5xx,
 * 429, and the error codes S3 documents as "retry" (SlowDown, RequestTimeout, InternalError, a conflict of
 * concurrent conditional writes). Permanent: access denied and bad credentials, a missing bucket, a bucket
 * in another region, a skewed clock, and any other 4xx.
 */
final class S3Errors {
  private S3Errors() {}

  private static final Set<String> DENIED_CODES =
      Set.of(
          "AccessDenied",
          "InvalidAccessKeyId",
          "SignatureDoesNotMatch",
          "InvalidToken",
          "ExpiredToken",
          "TokenRefreshRequired",
          "AllAccessDisabled",
          "AccountProblem",
          "InvalidSecurity",
          "InvalidClientTokenId",
          "UnrecognizedClientException");

  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "SlowDown",
          "RequestTimeout",
          "InternalError",
          "ServiceUnavailable",
          "Throttling",
          "ThrottlingException",
          "RequestLimitExceeded",
          "TooManyRequests",
          "RequestThrottled",
          "ConditionalRequestConflict",
          "OperationAborted",
          "IncompleteBody",
          "BadDigest");

  private static final Set<String> WRONG_REGION_CODES =
      Set.of("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException");

  /** The HTTP status of a service failure, or 0 when there is none (a client-side failure). */
  static int status(SdkException e) {
    return e instanceof SdkServiceException ? ((SdkServiceException) e).statusCode() : 0;
  }

  /** The S3 error code of a service failure ({@code NoSuchKey}, {@code SlowDown}), or null. */
  static @Nullable String code(SdkException e) {
    if (e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null) {
      return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }
    return null;
  }

  /**
   * The storage exception for {@code e}, which happened while doing {@code action} (such as "reading blob
   * data/ab/abcd") on the repository {@code settings} names.
   */
  static StorageException of(String action, S3Settings settings, SdkException e) {
    String where = settings.describe();
    if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
      return new StorageException("interrupted " + action + " in " + where + ": the operation was abandoned", e);
    }
    if (e instanceof SdkClientException) {
      return clientFailure(action, settings, (SdkClientException) e);
    }
    int status = status(e);
    String code = code(e);
    String detail = detail(e, status, code);
    if (code != null && WRONG_REGION_CODES.contains(code) || status == 301) {
      return new StorageException(
          "bucket " + settings.bucket() + " is not in region " + settings.region() + " (" + detail + ") "
              + action + " in " + where + ": set the bucket's region with -o " + S3Settings.REGION
              + "=REGION or AWS_REGION",
          e);
    }
    if ("RequestTimeTooSkewed".equals(code)) {
      return new StorageException(
          "the server refused " + action + " in " + where + " because this machine's clock is wrong (" + detail
              + "): set the clock right (enable NTP) and try again",
          e);
    }
    if (code != null && DENIED_CODES.contains(code) || status == 403 || status == 401) {
      return accessDenied(action, settings, detail, e);
    }
    if ("NoSuchBucket".equals(code)) {
      return noSuchBucket(settings, e);
    }
    if ("NoSuchUpload".equals(code)) {
      // A prune aborts multipart uploads older than its session expiry; a put paused that long lost its own.
      return new StorageException(
          "the multipart upload was removed while " + action + " in " + where + " (" + detail + "): a prune"
              + " abandons uploads as old as this one; sending the blob again", e, true);
    }
    if (code != null && TRANSIENT_CODES.contains(code) || status >= 500 || status == 429 || status == 408) {
      return new StorageException(
          "the server failed " + action + " in " + where + " (" + detail + "): retrying may help", e, true);
    }
    return new StorageException(
        "the server refused " + action + " in " + where + " (" + detail
            + "): check that the server is S3-compatible and the options for it are right",
        e);
  }

  /** A failure while reading an answer's body: a cut or reset connection. */
  static StorageException of(String action, S3Settings settings, IOException e) {
    if (e instanceof StorageException) {
      return (StorageException) e;
    }
    return new StorageException(
        "connection to " + endpointOf(settings) + " failed " + action + " in " + settings.describe() + " ("
            + describe(e) + "): retrying may help",
        e,
        true);
  }

  static StorageException accessDenied(String action, S3Settings settings, String detail, @Nullable Exception e) {
    return new StorageException(
        "access denied to s3://" + settings.bucket() + " " + action + " (" + detail + "): check the credentials"
            + " (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or options " + S3Settings.ACCESS_KEY_ID
            + " and " + S3Settings.SECRET_ACCESS_KEY + ") and that they may use this bucket",
        e);
  }

  static StorageException noSuchBucket(S3Settings settings, @Nullable Exception e) {
    return new StorageException(
        "bucket " + settings.bucket() + " does not exist" + (settings.endpoint() == null ? "" : " at " + settings.endpoint())
            + ": create it first (bakare does not create buckets), or check the name and the endpoint",
        e);
  }

  private static StorageException clientFailure(String action, S3Settings settings, SdkClientException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("Unable to load credentials")) {
      return new StorageException(
          "no AWS credentials found " + action + " in " + settings.describe()
              + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials,"
              + " or give options " + S3Settings.ACCESS_KEY_ID + " and " + S3Settings.SECRET_ACCESS_KEY,
          e);
    }
    if (e.getCause() instanceof StorageException) {
      return (StorageException) e.getCause();
    }
    // Everything else on the client side is the network: refused, reset, cut, timed out, a name that does
    // not resolve while the link is down. Requests here are idempotent, so the caller's policy retries.
    return new StorageException(
        "cannot get an answer from " + endpointOf(settings) + " " + action + " in " + settings.describe() + " ("
            + describe(e) + "): retrying may help; if it persists, check the network and the endpoint",
        e,
        true);
  }

  /** A failure while reading a response body, wrapped by the SDK's streams. */
  static StorageException of(String action, S3Settings settings, UncheckedIOException e) {
    return of(action, settings, e.getCause());
  }

  private static String endpointOf(S3Settings settings) {
    return settings.endpoint() == null ? "S3" : settings.endpoint().toString();
  }

  private static String detail(SdkException e, int status, @Nullable String code) {
    StringBuilder detail = new StringBuilder("HTTP ").append(status);
    if (code != null) {
      detail.append(' ').append(code);
    }
    if (e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null) {
      String serverMessage = ((AwsServiceException) e).awsErrorDetails().errorMessage();
      if (serverMessage != null && !serverMessage.isBlank()) {
        detail.append(": ").append(serverMessage.strip());
      }
    }
    return detail.toString();
  }

  /** The innermost cause's class and message, which is what tells a reset from a timeout. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root.getMessage() == null ? "" : ": " + root.getMessage();
    if (root != e && e.getMessage() != null) {
      return e.getMessage() + " (" + root.getClass().getSimpleName() + text + ")";
    }
    return root.getClass().getSimpleName() + text;
  }
}
