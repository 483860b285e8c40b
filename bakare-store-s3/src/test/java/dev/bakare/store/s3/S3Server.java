package dev.bakare.store.s3;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.domain.PageSet;
import org.gaul.s3proxy.blobstore.domain.StorageMetadata;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.blobstore.options.ListContainerOptions;
import org.jspecify.annotations.Nullable;

/**
 * A real S3 server for tests: s3proxy in this JVM on 127.0.0.1, on an ephemeral port, with AWS signature
 * authentication. Buckets are made and inspected through its back end, not through the code under test.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "bakare-test-access";
  static final String SECRET_KEY = "bakare-test-secret-key";

  private final S3Proxy proxy;
  private final BlobStore backend;

  private S3Server(S3Proxy proxy, BlobStore backend) {
    this.proxy = proxy;
    this.backend = backend;
  }

  /** Keeps blobs in memory: for small tests. */
  static S3Server inMemory() throws Exception {
    return start(BlobStores.create("transient-nio2", new Properties()));
  }

  /** Keeps blobs as files under {@code directory}: for tests that store hundreds of MiB. */
  static S3Server onDisk(Path directory) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", directory.toString());
    return start(BlobStores.create("filesystem-nio2", properties));
  }

  private static S3Server start(BlobStore backend) throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(backend)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    // start() returns once Jetty runs its start sequence; the port is bound when the state says STARTED.
    while (!proxy.getState().equals("STARTED")) {
      if (proxy.getState().equals("FAILED")) {
        throw new IllegalStateException("s3proxy failed to start");
      }
      Thread.onSpinWait();
    }
    return new S3Server(proxy, backend);
  }

  int port() {
    return proxy.getPort();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  void createBucket(String bucket) {
    backend.createContainer(bucket, CreateContainerOptions.NONE);
  }

  boolean bucketExists(String bucket) {
    return backend.containerExists(bucket);
  }

  /** Every key in the bucket, as the server sees it. */
  List<String> keys(String bucket) {
    List<String> keys = new ArrayList<>();
    String marker = null;
    do {
      ListContainerOptions options = new ListContainerOptions(1000, marker, null, null);
      PageSet<? extends StorageMetadata> page = backend.list(bucket, options);
      for (StorageMetadata entry : page) {
        keys.add(entry.name());
      }
      marker = page.nextMarker();
    } while (marker != null);
    return keys;
  }

  /** Options that reach this server with its credentials. */
  Map<String, String> options() {
    return options(endpoint());
  }

  /** Options that reach {@code endpoint} (a proxy in front of this server, say) with its credentials. */
  static Map<String, String> options(URI endpoint) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("s3.endpoint", endpoint.toString());
    options.put("s3.access-key-id", ACCESS_KEY);
    options.put("s3.secret-access-key", SECRET_KEY);
    return options;
  }

  static Map<String, String> with(Map<String, String> options, String key, @Nullable String value) {
    Map<String, String> copy = new LinkedHashMap<>(options);
    if (value == null) {
      copy.remove(key);
    } else {
      copy.put(key, value);
    }
    return copy;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    backend.close();
  }
}
