package dev.bakare.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Resolving locations, options and the AWS environment, without a server. */
class S3SettingsTest {
  private static S3Settings resolve(String location, Map<String, String> options, Map<String, String> env)
      throws StorageException {
    return S3Settings.resolve(StorageLocation.parse(location, options), env, () -> Optional.of("profile-region"));
  }

  private static S3Settings resolve(String location, Map<String, String> options) throws StorageException {
    return resolve(location, options, Map.of());
  }

  private static String failure(String location, Map<String, String> options) {
    StorageException e = assertThrows(StorageException.class, () -> resolve(location, options));
    assertFalse(e.isTransient(), "bad input is permanent: " + e);
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void bucketAndPrefixMapBlobNamesToKeys() throws Exception {
    S3Settings deep = resolve("s3://my-bucket/backups/laptop/", Map.of());
    assertEquals("my-bucket", deep.bucket());
    assertEquals("backups/laptop", deep.prefix());
    assertEquals("backups/laptop/data/ab/abcd", deep.keyOf(BlobName.of("data/ab/abcd")));
    assertEquals("backups/laptop/", deep.keyPrefix());
    assertEquals("s3://my-bucket/backups/laptop", deep.location());

    S3Settings root = resolve("s3://my.bucket.example", Map.of());
    assertEquals("", root.prefix());
    assertEquals("data/ab/abcd", root.keyOf(BlobName.of("data/ab/abcd")));
    assertEquals("", root.keyPrefix());
  }

  @Test
  void malformedLocationsFailWithOneLineSayingHowToWriteThem() {
    assertTrue(failure("s3:///prefix", Map.of()).contains("names no bucket"));
    assertTrue(failure("s3:bucket", Map.of()).contains("the bucket must follow s3://"));
    for (String bad : List.of("s3://Bad_Bucket/x", "s3://ab/x", "s3://-bucket", "s3://bucket-", "s3://a..b",
        "s3://192.168.1.1/x", "s3://" + "b".repeat(64))) {
      String message = failure(bad, Map.of());
      assertTrue(message.contains("is not a valid bucket name"), message);
      assertTrue(message.endsWith("write it as s3://BUCKET or s3://BUCKET/PREFIX"), message);
    }
    assertTrue(failure("s3://bucket/a//b", Map.of()).contains("prefix 'a//b' is not valid"));
    assertTrue(failure("s3://bucket/a/../b", Map.of()).contains("is not valid"));
    assertTrue(failure("s3://user@bucket/x", Map.of()).contains("no user or port"));
    assertTrue(failure("s3://bucket:9000/x", Map.of()).contains("-o s3.endpoint=URL"));
    assertTrue(failure("s3://bucket/x?versionId=1", Map.of()).contains("query or fragment"));
  }

  @Test
  void unknownAndForeignOptionsAreRefusedByName() {
    String typo = failure("s3://bucket/x", Map.of("s3.endpiont", "http://127.0.0.1:9000"));
    assertTrue(typo.startsWith("unknown S3 option [s3.endpiont] for s3://bucket/x: known options are ["), typo);
    String foreign = failure("s3://bucket/x", Map.of("region", "eu-west-1"));
    assertTrue(foreign.startsWith("option 'region' does not apply to s3://bucket/x"), foreign);
  }

  @Test
  void optionValuesAreChecked() {
    assertTrue(failure("s3://bucket", Map.of("s3.connections", "0")).contains("from 1 to 1024"));
    assertTrue(failure("s3://bucket", Map.of("s3.connections", "many")).contains("invalid value 'many'"));
    assertTrue(failure("s3://bucket", Map.of("s3.path-style", "yes")).contains("give true or false"));
    assertTrue(failure("s3://bucket", Map.of("s3.timeout", "5h")).contains("from 100ms to 60m"));
    assertTrue(failure("s3://bucket", Map.of("s3.conditional-put", "maybe")).contains("auto (probe the server)"));
    assertTrue(failure("s3://bucket", Map.of("s3.access-key-id", "AKIA")).contains("needs s3.secret-access-key too"));
    assertTrue(failure("s3://bucket", Map.of("s3.endpoint", "ftp://host")).contains("not an http:// or https:// URL"));
    assertTrue(failure("s3://bucket", Map.of("s3.endpoint", "http://")).contains("invalid S3 endpoint"));
  }

  @Test
  void optionsOverrideTheEnvironmentWhichOverridesTheProfile() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ENDPOINT_URL", "http://general.example:9000");
    env.put("AWS_DEFAULT_REGION", "eu-west-3");
    S3Settings fromGeneral = resolve("s3://bucket", Map.of(), env);
    assertEquals(URI.create("http://general.example:9000"), fromGeneral.endpoint());
    assertEquals("eu-west-3", fromGeneral.region());

    env.put("AWS_ENDPOINT_URL_S3", "https://s3.example.com");
    env.put("AWS_REGION", "eu-central-1");
    S3Settings fromS3 = resolve("s3://bucket", Map.of(), env);
    assertEquals(URI.create("https://s3.example.com"), fromS3.endpoint());
    assertEquals("eu-central-1", fromS3.region());
    assertTrue(fromS3.regionConfigured());

    S3Settings fromOptions =
        resolve("s3://bucket", Map.of("s3.endpoint", "http://127.0.0.1:9000", "s3.region", "auto"), env);
    assertEquals(URI.create("http://127.0.0.1:9000"), fromOptions.endpoint());
    assertEquals("auto", fromOptions.region());

    S3Settings fromProfile = resolve("s3://bucket", Map.of(), Map.of());
    assertNull(fromProfile.endpoint());
    assertEquals("profile-region", fromProfile.region());

    S3Settings defaults = S3Settings.resolve(StorageLocation.parse("s3://bucket", Map.of()), Map.of(), Optional::empty);
    assertEquals(S3Settings.DEFAULT_REGION, defaults.region());
    assertFalse(defaults.regionConfigured(), "AWS then follows the bucket to its region");
    assertEquals(S3Settings.DEFAULT_CONNECTIONS, defaults.connections());
    assertEquals(S3Settings.ConditionalPut.AUTO, defaults.conditionalPut());
    assertNull(defaults.accessKeyId(), "credentials come from the AWS chain");
  }

  @Test
  void pathStyleIsAutomaticForAddressesAndLocalhostAndCanBeSet() throws Exception {
    assertTrue(resolve("s3://bucket", Map.of("s3.endpoint", "http://127.0.0.1:9000")).pathStyle());
    assertTrue(resolve("s3://bucket", Map.of("s3.endpoint", "http://localhost:9000")).pathStyle());
    assertTrue(resolve("s3://bucket", Map.of("s3.endpoint", "http://[::1]:9000")).pathStyle());
    assertFalse(resolve("s3://bucket", Map.of("s3.endpoint", "https://minio.example.com")).pathStyle());
    assertFalse(resolve("s3://bucket", Map.of()).pathStyle(), "AWS itself is virtual-hosted");
    assertTrue(
        resolve("s3://bucket", Map.of("s3.endpoint", "https://minio.example.com", "s3.path-style", "true")).pathStyle());
    assertFalse(
        resolve("s3://bucket", Map.of("s3.endpoint", "http://127.0.0.1:9000", "s3.path-style", "false")).pathStyle());
  }

  @Test
  void connectionsTimeoutAndKeysAreRead() throws Exception {
    S3Settings settings =
        resolve("s3://bucket", Map.of("s3.connections", "48", "s3.timeout", "1500ms", "s3.access-key-id", "id",
            "s3.secret-access-key", "secret", "s3.conditional-put", "false"));
    assertEquals(48, settings.connections());
    assertEquals(Duration.ofMillis(1500), settings.timeout());
    assertEquals("id", settings.accessKeyId());
    assertEquals("secret", settings.secretAccessKey());
    assertEquals(S3Settings.ConditionalPut.FALSE, settings.conditionalPut());
    assertEquals(Duration.ofMinutes(2), resolve("s3://bucket", Map.of("s3.timeout", "2m")).timeout());
    assertEquals(Duration.ofSeconds(30), resolve("s3://bucket", Map.of("s3.timeout", "30")).timeout());
  }
}
