package dev.bakare.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.Repository;
import dev.bakare.RepositoryOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the public API, as the CLI meets it: a one-line error that says what to do, and
 * nothing written, neither in the bucket nor a key file.
 */
class S3BadInputTest {
  private static S3Server server;

  @TempDir Path keys;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.inMemory();
    server.createBucket("existing");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private String initFails(String location, Map<String, String> storageOptions) throws IOException {
    RepositoryOptions options =
        RepositoryOptions.builder().location(location).storageOptions(storageOptions).configDirectory(keys).build();
    IOException e = assertThrows(IOException.class, () -> Repository.init(options).close());
    String message = e.getMessage();
    assertFalse(message.contains("\n"), "one line: " + message);
    assertEquals(List.of(), server.keys("existing"), "nothing written to the bucket");
    try (Stream<Path> files = Files.walk(keys)) {
      assertEquals(List.of(keys), files.toList(), "no key file written");
    }
    return message;
  }

  @Test
  void anUnknownBucket() throws Exception {
    String message = initFails("s3://missing-bucket/repo", server.options());
    assertTrue(message.contains("bucket missing-bucket does not exist"), message);
    assertTrue(message.contains("create it first"), message);
    assertFalse(server.bucketExists("missing-bucket"));
  }

  @Test
  void wrongCredentials() throws Exception {
    String message = initFails("s3://existing/repo", S3Server.with(server.options(), "s3.access-key-id", "nobody"));
    assertTrue(message.startsWith("access denied to s3://existing"), message);
    assertTrue(message.contains("check the credentials"), message);
  }

  @Test
  void malformedLocations() throws Exception {
    assertTrue(initFails("s3://", server.options()).startsWith("malformed repository location 's3://'"));
    assertTrue(initFails("s3:///repo", server.options()).contains("names no bucket"));
    assertTrue(initFails("s3://Existing_Bucket/repo", server.options()).contains("is not a valid bucket name"));
    assertTrue(initFails("s3://existing/repo", S3Server.with(server.options(), "s3.regoin", "x"))
        .startsWith("unknown S3 option [s3.regoin]"));
  }
}
