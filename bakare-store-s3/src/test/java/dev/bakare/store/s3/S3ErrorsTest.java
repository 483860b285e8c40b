package dev.bakare.store.s3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Which S3 answers a retry can help with. */
class S3ErrorsTest {
  private final S3Settings settings;

  S3ErrorsTest() throws StorageException {
    settings = S3Settings.resolve(StorageLocation.parse("s3://bucket/repo", Map.of()), Map.of(), Optional::empty);
  }

  private static S3Exception answer(int status, String code) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
  }

  /**
   * A put paused past a prune's session expiry finds its multipart upload aborted by that prune: sending
   * the blob again succeeds, so the backup that was suspended goes on instead of failing.
   */
  @Test
  void aMultipartUploadRemovedMeanwhileIsTransient() {
    StorageException e = S3Errors.of("writing blob data/ab/x in parts", settings, answer(404, "NoSuchUpload"));
    assertTrue(e.isTransient(), e.getMessage());
    assertTrue(e.getMessage().contains("the multipart upload was removed"), e.getMessage());
  }

  @Test
  void otherClientErrorsAreNot() {
    assertFalse(S3Errors.of("reading blob data/ab/x", settings, answer(400, "InvalidArgument")).isTransient());
    assertFalse(S3Errors.of("reading blob data/ab/x", settings, answer(403, "AccessDenied")).isTransient());
  }
}
