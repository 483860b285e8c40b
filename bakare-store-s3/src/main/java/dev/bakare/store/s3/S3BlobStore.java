package dev.bakare.store.s3;

import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StoreCapabilities;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** The store behind {@link S3StorageProvider}; the provider's Javadoc describes the behaviour. */
final class S3BlobStore implements BlobStore {
  private static final System.Logger LOG = System.getLogger(S3BlobStore.class.getName());

  /** A whole blob is read into one array; this is the largest length every JVM allocates. */
  static final long MAX_BLOB_SIZE = Integer.MAX_VALUE - 8L;

  /**
   * Blobs above this size go up in parts: a cut connection then costs one part, not the whole blob, and
   * servers that cap single PUTs (5 GiB on AWS, less elsewhere) take them. bakare's packs (16 MiB by
   * default) stay below it and cost one request each.
   */
  static final long MULTIPART_THRESHOLD = 32L << 20;

  /** The size of every part but the last: equal parts, as R2 requires, and above every server's minimum. */
  static final int PART_SIZE = 16 << 20;

  /**
   * The slowest upload an attempt may be and still count as alive, in bytes per second: a write into a
   * connection that stopped moving blocks without any socket timeout, so each upload gets a deadline of
   * the configured timeout plus its size at this rate.
   */
  static final long SLOWEST_UPLOAD_RATE = 64 << 10;

  /** Temporary objects for the conditional-put probe carry '~', which no blob name has: never listed. */
  static final String PROBE_PREFIX = "~probe-";

  private final S3Settings settings;
  private final SdkHttpClient http;
  private final AwsCredentialsProvider credentials;
  private final S3Client client;
  private final boolean conditionalPut;
  private final StoreCapabilities capabilities;
  private final AtomicBoolean closed = new AtomicBoolean();

  private S3BlobStore(
      S3Settings settings, SdkHttpClient http, AwsCredentialsProvider credentials, S3Client client, boolean conditionalPut) {
    this.settings = settings;
    this.http = http;
    this.credentials = credentials;
    this.client = client;
    this.conditionalPut = conditionalPut;
    this.capabilities = new StoreCapabilities(conditionalPut, settings.connections(), MAX_BLOB_SIZE, true);
  }

  /**
   * Connects, checks that the bucket exists and can be listed with these credentials, and finds out
   * whether the server honours {@code If-None-Match} (see {@link S3Settings.ConditionalPut}).
   */
  static S3BlobStore open(S3Settings settings) throws StorageException {
    SdkHttpClient http =
        Apache5HttpClient.builder()
            .maxConnections(settings.connections())
            .socketTimeout(settings.timeout())
            .connectionTimeout(min(settings.timeout(), Duration.ofSeconds(10)))
            // Waiting for a pooled connection is queueing, not a fault: it may take as long as the
            // uploads ahead of it.
            .connectionAcquisitionTimeout(Duration.ofMinutes(10))
            .tcpKeepAlive(true)
            .build();
    AwsCredentialsProvider credentials =
        settings.accessKeyId() != null && settings.secretAccessKey() != null
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()))
            : DefaultCredentialsProvider.builder().build();
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClient(http)
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(settings.pathStyle())
            // Over plain HTTP the SDK would sign bodies in aws-chunked encoding, which ends with an empty signed
            // chunk. s3proxy answers once it has read the declared bytes; when that last chunk comes after the
            // answer, its Jetty closes the connection with it unread, and the next request on the pooled
            // connection fails (Broken pipe). A plain body, signed with its SHA-256 up front, leaves nothing
            // unread; over HTTPS bodies are unsigned and this changes nothing.
            .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
            // Third-party servers reject the CRC trailers newer SDKs send by default.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            // Retries happen once, in the caller's retrying wrapper, with its deadline and outage tolerance;
            // SDK retries underneath would multiply attempts and hide failures from its counters.
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    } else if (!settings.regionConfigured()) {
      // On AWS without a configured region, follow the bucket to its region instead of failing.
      builder.crossRegionAccessEnabled(true);
    }
    S3Client client = null;
    try {
      client = builder.build();
      checkBucket(client, settings);
      boolean conditional =
          switch (settings.conditionalPut()) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> probeConditionalPut(client, settings);
          };
      return new S3BlobStore(settings, http, credentials, client, conditional);
    } catch (StorageException | RuntimeException e) {
      Exception cleanup = closeAll(client, http, credentials);
      if (cleanup != null) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- opening

  private static void checkBucket(S3Client client, S3Settings settings) throws StorageException {
    String action = "checking the bucket";
    try {
      client.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(settings.keyPrefix()).maxKeys(1));
    } catch (SdkException e) {
      if ("NoSuchBucket".equals(S3Errors.code(e)) || S3Errors.status(e) == 404) {
        throw S3Errors.noSuchBucket(settings, e);
      }
      throw S3Errors.of(action, settings, e);
    }
  }

  /**
   * Puts a probe object twice with {@code If-None-Match: *}: a server that honours it refuses the second
   * put with 412. The probe's name is no blob name, so a probe left behind by a crash is never listed.
   */
  private static boolean probeConditionalPut(S3Client client, S3Settings settings) throws StorageException {
    String key = settings.keyPrefix() + PROBE_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    String action = "probing conditional puts with object " + key;
    PutObjectRequest request =
        PutObjectRequest.builder().bucket(settings.bucket()).key(key).ifNoneMatch("*").build();
    try {
      client.putObject(request, RequestBody.empty());
    } catch (SdkException e) {
      StorageException mapped = S3Errors.of(action, settings, e);
      if (mapped.isTransient()) {
        throw mapped;
      }
      // Read-only credentials cannot probe; they cannot create anything either, so the answer does not
      // matter. A server that rejects the header outright has no conditional puts.
      boolean denied = S3Errors.status(e) == 403;
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> "conditional put probe in " + settings.describe() + " failed (" + mapped.getMessage() + "); "
              + (denied ? "assuming conditional puts work" : "using check-then-put"));
      return denied;
    }
    StorageException failure = null;
    boolean honoured = false;
    try {
      client.putObject(request, RequestBody.empty());
      LOG.log(
          System.Logger.Level.INFO,
          "the server of " + settings.describe() + " ignores If-None-Match: create-only puts check first, then put,"
              + " which is not atomic (see docs/s3.md)");
    } catch (SdkException e) {
      if (S3Errors.status(e) == 412) {
        honoured = true;
      } else {
        failure = S3Errors.of(action, settings, e);
      }
    }
    try {
      client.deleteObject(b -> b.bucket(settings.bucket()).key(key));
    } catch (SdkException e) {
      StorageException cleanup = S3Errors.of("deleting the probe object " + key, settings, e);
      if (failure == null) {
        failure = cleanup;
      } else {
        failure.addSuppressed(cleanup);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return honoured;
  }

  // ---------------------------------------------------------------- put

  @Override
  public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
    put(name, Content.of(content), mode);
  }

  /** Streams the file's bytes into the request bodies, as often as the SDK asks: no copy in memory. */
  @Override
  public void putFrom(BlobName name, FileChannel source, long length, PutMode mode) throws StorageException {
    capabilities.checkBlobLength(name, length);
    try {
      put(name, Content.of(name, source, length), mode);
    } catch (UncheckedIOException e) {
      // The SDK reports a body stream's failure (the file could not be read) this way.
      throw new StorageException("writing blob " + name + " to " + describe() + " failed reading its source file: "
          + e.getCause().getMessage(), e.getCause());
    }
  }

  private void put(BlobName name, Content content, PutMode mode) throws StorageException {
    checkOpen();
    String key = settings.keyOf(name);
    long size = content.size();
    boolean createOnly = mode == PutMode.CREATE_ONLY;
    boolean multipart = size > MULTIPART_THRESHOLD;
    if (createOnly && (!conditionalPut || multipart) && statKey(name, key).isPresent()) {
      // The only check on servers without conditional puts; before a multipart upload, it spares sending
      // a large blob that cannot be stored (the conditional complete still decides races).
      throw new BlobAlreadyExistsException(name, describe());
    }
    boolean conditional = createOnly && conditionalPut;
    if (multipart) {
      putMultipart(name, key, content, conditional);
      return;
    }
    String action = "writing blob " + name;
    PutObjectRequest.Builder request =
        PutObjectRequest.builder()
            .bucket(settings.bucket())
            .key(key)
            .contentLength(size)
            .overrideConfiguration(o -> o.apiCallAttemptTimeout(uploadDeadline(size)));
    if (conditional) {
      request.ifNoneMatch("*");
    }
    try {
      client.putObject(request.build(), content.body(0, size));
    } catch (SdkException e) {
      if (conditional && S3Errors.status(e) == 412) {
        throw new BlobAlreadyExistsException(name, describe());
      }
      throw S3Errors.of(action, settings, e);
    }
  }

  private void putMultipart(BlobName name, String key, Content content, boolean conditional) throws StorageException {
    String action = "writing blob " + name + " in parts";
    String uploadId;
    try {
      uploadId = client.createMultipartUpload(b -> b.bucket(settings.bucket()).key(key)).uploadId();
    } catch (SdkException e) {
      throw S3Errors.of(action, settings, e);
    }
    try {
      List<CompletedPart> parts = new ArrayList<>();
      long size = content.size();
      int number = 1;
      for (long offset = 0; offset < size; offset += PART_SIZE, number++) {
        int length = (int) Math.min(PART_SIZE, size - offset);
        RequestBody part = content.body(offset, length);
        int partNumber = number;
        String eTag =
            client
                .uploadPart(
                    b -> b.bucket(settings.bucket())
                        .key(key)
                        .uploadId(uploadId)
                        .partNumber(partNumber)
                        .contentLength((long) length)
                        .overrideConfiguration(o -> o.apiCallAttemptTimeout(uploadDeadline(length))),
                    part)
                .eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
      }
      client.completeMultipartUpload(b -> {
        b.bucket(settings.bucket()).key(key).uploadId(uploadId).multipartUpload(u -> u.parts(parts));
        if (conditional) {
          b.ifNoneMatch("*");
        }
      });
    } catch (SdkException e) {
      StorageException failure =
          conditional && S3Errors.status(e) == 412
              ? new BlobAlreadyExistsException(name, describe())
              : S3Errors.of(action, settings, e);
      abort(key, uploadId, failure);
      throw failure;
    } catch (RuntimeException | Error e) {
      abort(key, uploadId, e);
      throw e;
    }
  }

  /**
   * Abandons a multipart upload so its parts stop taking space. After an answer to the complete was lost
   * the upload may be gone already (it completed): that is no failure.
   */
  private void abort(String key, String uploadId, Throwable failure) {
    try {
      client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
    } catch (SdkException e) {
      if (!uploadGone(e)) {
        failure.addSuppressed(
            S3Errors.of(
                "abandoning the multipart upload of " + key + " (a bucket lifecycle rule for incomplete multipart"
                    + " uploads removes such leftovers)",
                settings,
                e));
      }
    }
  }

  /** Whether a multipart upload request failed because the upload no longer exists (completed or aborted). */
  private static boolean uploadGone(SdkException e) {
    return "NoSuchUpload".equals(S3Errors.code(e)) || S3Errors.status(e) == 404;
  }

  private Duration uploadDeadline(long size) {
    return settings.timeout().plusSeconds(size / SLOWEST_UPLOAD_RATE);
  }

  /** The bytes of a blob being put, whose ranges become request bodies that stream them without a copy. */
  private interface Content {
    long size();

    /** A body of {@code length} bytes from {@code offset} that the SDK may stream as often as it asks. */
    RequestBody body(long offset, long length);

    /** The buffer's remaining bytes. */
    static Content of(ByteBuffer content) {
      ByteBuffer view = content.asReadOnlyBuffer();
      return new Content() {
        @Override
        public long size() {
          return view.remaining();
        }

        @Override
        public RequestBody body(long offset, long length) {
          ByteBuffer range = view.duplicate();
          range.position(view.position() + (int) offset).limit(view.position() + (int) (offset + length));
          return RequestBody.fromContentProvider(
              () -> new BufferInputStream(range.duplicate()), length, "application/octet-stream");
        }
      };
    }

    /** The first {@code size} bytes of the file, read with positional reads. */
    static Content of(BlobName name, FileChannel source, long size) {
      return new Content() {
        @Override
        public long size() {
          return size;
        }

        @Override
        public RequestBody body(long offset, long length) {
          return RequestBody.fromContentProvider(
              () -> new FileRangeInputStream(name, source, offset, length), length, "application/octet-stream");
        }
      };
    }
  }

  // ---------------------------------------------------------------- get

  @Override
  public ByteBuffer get(BlobName name) throws StorageException {
    checkOpen();
    String action = "reading blob " + name;
    GetObjectRequest request = GetObjectRequest.builder().bucket(settings.bucket()).key(settings.keyOf(name)).build();
    ResponseInputStream<GetObjectResponse> in = open(name, request, action);
    try {
      long length = in.response().contentLength();
      if (length > MAX_BLOB_SIZE) {
        throw new StorageException(
            "blob " + name + " in " + describe() + " has " + length + " bytes, more than one buffer holds: read it in ranges");
      }
      return readFully(in, (int) length, action);
    } finally {
      closeQuietly(in);
    }
  }

  @Override
  public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "cannot read blob " + name + " at offset " + offset + " with length " + length + ": both must be >= 0");
    }
    checkOpen();
    if (length == 0 || offset > Long.MAX_VALUE - length) {
      // No HTTP range names zero bytes or a range past 2^63: the size decides.
      BlobInfo info = stat(name).orElseThrow(() -> new BlobNotFoundException(name, describe()));
      if (offset > info.size() - length) {
        throw pastEnd(name, String.valueOf(info.size()), offset, length);
      }
      return ByteBuffer.allocate(0);
    }
    String action = "reading " + length + " bytes at offset " + offset + " of blob " + name;
    GetObjectRequest request =
        GetObjectRequest.builder()
            .bucket(settings.bucket())
            .key(settings.keyOf(name))
            .range("bytes=" + offset + "-" + (offset + length - 1))
            .build();
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = open(name, request, action);
    } catch (StorageException e) {
      if (e.getCause() instanceof SdkException && S3Errors.status((SdkException) e.getCause()) == 416) {
        throw pastEnd(name, "fewer than " + (offset + length), offset, length);
      }
      throw e;
    }
    try {
      GetObjectResponse response = in.response();
      String contentRange = response.contentRange();
      long available = response.contentLength();
      if (contentRange == null) {
        // The server sent the whole blob instead of the range.
        if (offset > available - length) {
          throw pastEnd(name, String.valueOf(available), offset, length);
        }
        skipFully(in, offset, action);
      } else if (available < length) {
        int slash = contentRange.lastIndexOf('/');
        throw pastEnd(name, slash < 0 ? "fewer than " + (offset + length) : contentRange.substring(slash + 1), offset, length);
      }
      return readFully(in, length, action);
    } finally {
      closeQuietly(in);
    }
  }

  private ResponseInputStream<GetObjectResponse> open(BlobName name, GetObjectRequest request, String action)
      throws StorageException {
    try {
      return idempotent(() -> client.getObject(request));
    } catch (SdkException e) {
      if ("NoSuchKey".equals(S3Errors.code(e)) || S3Errors.status(e) == 404 && S3Errors.code(e) == null) {
        throw new BlobNotFoundException(name, describe());
      }
      throw S3Errors.of(action, settings, e);
    }
  }

  private ByteBuffer readFully(ResponseInputStream<?> in, int length, String action)
      throws StorageException {
    byte[] bytes = new byte[length];
    int read;
    try {
      read = in.readNBytes(bytes, 0, length);
    } catch (IOException e) {
      in.abort();
      throw S3Errors.of(action, settings, e);
    } catch (UncheckedIOException e) {
      in.abort();
      throw S3Errors.of(action, settings, e);
    } catch (SdkException e) {
      in.abort();
      throw S3Errors.of(action, settings, e);
    }
    if (read < length) {
      in.abort();
      throw new StorageException(
          "connection closed after " + read + " of " + length + " bytes " + action + " in " + describe()
              + ": retrying may help",
          null,
          true);
    }
    return ByteBuffer.wrap(bytes);
  }

  private void skipFully(ResponseInputStream<?> in, long count, String action) throws StorageException {
    try {
      in.skipNBytes(count);
    } catch (IOException e) {
      in.abort();
      throw S3Errors.of(action, settings, e);
    }
  }

  private StorageException pastEnd(BlobName name, String size, long offset, int length) {
    return new StorageException(
        "blob " + name + " in " + describe() + " has " + size + " bytes, too few to read " + length + " at offset "
            + offset + ": the blob is shorter than its reference says (truncated or replaced)");
  }

  /** Releases the connection; after a complete read it goes back to the pool. */
  private static void closeQuietly(ResponseInputStream<?> in) {
    try {
      in.close();
    } catch (IOException | UncheckedIOException | SdkException e) {
      // The bytes were read and checked (or a failure is already on its way); a connection that fails to
      // close is discarded by the pool, and there is nothing the caller could do about it.
      LOG.log(System.Logger.Level.DEBUG, "closing a response stream failed", e);
    }
  }

  // ---------------------------------------------------------------- stat, list, delete

  /**
   * Runs an idempotent request, and once more at once if its connection failed before any answer came
   * ({@link #closedUnanswered}). That is most often a pooled connection the server had just closed (at its
   * keep-alive timeout, or, as s3proxy did after aws-chunked puts, after a response), and validating pooled
   * connections cannot rule it out: the server may close one right after the check. HTTP lets a client send an
   * idempotent request again at once (RFC 9112 section 9.3.1), as HTTP clients do by default; this store
   * does it for reads (get, stat) and deletes, which are idempotent whether or not the server saw the first
   * one. Every other failure, and a second one, goes to the caller's retrying wrapper; puts are never sent
   * again here (a create-only put that did arrive would come back as "already exists").
   */
  private static <T> T idempotent(Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkClientException e) {
      if (!closedUnanswered(e)) {
        throw e;
      }
      return request.get();
    }
  }

  /**
   * Whether the connection failed before any answer: no answer at all ({@code NoHttpResponseException}), or
   * a request that could not be written ({@code Broken pipe}, {@code Connection reset}).
   */
  private static boolean closedUnanswered(SdkClientException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass().getName().endsWith(".NoHttpResponseException")) {
        return true;
      }
      String message = t.getMessage();
      if (t instanceof java.net.SocketException && message != null
          && (message.contains("Broken pipe") || message.contains("Connection reset"))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Optional<BlobInfo> stat(BlobName name) throws StorageException {
    checkOpen();
    return statKey(name, settings.keyOf(name));
  }

  private Optional<BlobInfo> statKey(BlobName name, String key) throws StorageException {
    HeadObjectResponse head;
    try {
      head = idempotent(() -> client.headObject(b -> b.bucket(settings.bucket()).key(key)));
    } catch (SdkException e) {
      if (S3Errors.status(e) == 404) {
        return Optional.empty();
      }
      throw S3Errors.of("reading the size of blob " + name, settings, e);
    }
    Instant modified = head.lastModified() == null ? Instant.EPOCH : head.lastModified();
    return Optional.of(new BlobInfo(name, head.contentLength(), modified));
  }

  @Override
  public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
    BlobName.checkPrefix(prefix);
    checkOpen();
    String keyPrefix = settings.keyPrefix();
    List<BlobInfo> page = new ArrayList<>();
    try {
      for (ListObjectsV2Response response :
          client.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(keyPrefix + prefix))) {
        page.clear();
        for (S3Object object : response.contents()) {
          String key = object.key();
          if (!key.startsWith(keyPrefix)) {
            continue;
          }
          String name = key.substring(keyPrefix.length());
          // Keys bakare did not write (probes, "folder" markers, other tools' objects) are no blobs.
          if (BlobName.isValid(name)) {
            Instant modified = object.lastModified() == null ? Instant.EPOCH : object.lastModified();
            page.add(new BlobInfo(BlobName.of(name), object.size(), modified));
          }
        }
        // The consumer runs outside the SDK's try block: its exceptions are its own.
        deliver(page, consumer);
      }
    } catch (SdkException e) {
      if ("NoSuchBucket".equals(S3Errors.code(e))) {
        throw S3Errors.noSuchBucket(settings, e);
      }
      throw S3Errors.of("listing blobs under '" + prefix + "'", settings, e);
    }
  }

  private static void deliver(List<BlobInfo> page, Consumer<? super BlobInfo> consumer) {
    for (BlobInfo info : page) {
      consumer.accept(info);
    }
  }

  @Override
  public void delete(BlobName name) throws StorageException {
    checkOpen();
    try {
      // Idempotent too: deleting a blob that is gone succeeds.
      idempotent(() -> client.deleteObject(b -> b.bucket(settings.bucket()).key(settings.keyOf(name))));
    } catch (SdkException e) {
      if ("NoSuchKey".equals(S3Errors.code(e))) {
        return;
      }
      throw S3Errors.of("deleting blob " + name, settings, e);
    }
  }

  /**
   * Aborts the multipart uploads under this repository's prefix that were started more than {@code age}
   * ago: a process killed in the middle of a large put leaves one, whose parts S3 keeps (and bills) until
   * it is aborted. The age is the prunes' session expiry, beyond which no live put can still be running;
   * one that was only paused finds its upload gone ({@code NoSuchUpload}, a transient failure) and is
   * retried whole. The age is counted on this machine's clock against the server's start times: a skew
   * can only make an upload count as older or younger by that much, and aborting one early only makes its
   * put start again.
   */
  @Override
  public long removeIncompleteUploads(Duration age) throws StorageException {
    checkOpen();
    Instant cutoff = Instant.now().minus(age);
    String keyPrefix = settings.keyPrefix();
    List<MultipartUpload> stale = new ArrayList<>();
    try {
      for (ListMultipartUploadsResponse response :
          client.listMultipartUploadsPaginator(b -> b.bucket(settings.bucket()).prefix(keyPrefix))) {
        for (MultipartUpload upload : response.uploads()) {
          if (upload.key().startsWith(keyPrefix) && upload.initiated() != null && upload.initiated().isBefore(cutoff)) {
            stale.add(upload);
          }
        }
      }
    } catch (SdkException e) {
      StorageException failure = S3Errors.of("listing unfinished multipart uploads", settings, e);
      int status = S3Errors.status(e);
      if (status == 403 || status == 401) {
        // Leftovers cost space, not correctness: a prune goes on without removing them.
        LOG.log(System.Logger.Level.WARNING, failure.getMessage() + ". Unfinished multipart uploads of killed"
            + " backups stay until removed: grant s3:ListBucketMultipartUploads, s3:ListMultipartUploadParts and"
            + " s3:AbortMultipartUpload, or add a lifecycle rule that aborts them");
        return 0;
      }
      throw failure;
    }
    long reclaimed = 0;
    for (MultipartUpload upload : stale) {
      String action = "abandoning the unfinished multipart upload of " + upload.key();
      try {
        long size = 0;
        for (ListPartsResponse parts : client.listPartsPaginator(
            b -> b.bucket(settings.bucket()).key(upload.key()).uploadId(upload.uploadId()))) {
          for (Part part : parts.parts()) {
            size += part.size() == null ? 0 : part.size();
          }
        }
        client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(upload.key()).uploadId(upload.uploadId()));
        reclaimed += size;
      } catch (SdkException e) {
        // Gone since the listing: its put completed or another prune aborted it.
        if (!uploadGone(e)) {
          throw S3Errors.of(action, settings, e);
        }
      }
    }
    return reclaimed;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public StoreCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public String describe() {
    return settings.describe();
  }

  @Override
  public void close() throws StorageException {
    if (closed.compareAndSet(false, true)) {
      Exception failure = closeAll(client, http, credentials);
      if (failure != null) {
        throw new StorageException(
            "closing the S3 client of " + describe() + " failed (" + failure + "): nothing is lost; its connections"
                + " end with the process",
            failure);
      }
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the S3 store " + describe() + " is closed: open it again to use it");
    }
  }

  /** Closes what is given; returns the first failure, with later ones suppressed in it, or null. */
  private static @Nullable Exception closeAll(
      @Nullable S3Client client, SdkHttpClient http, AwsCredentialsProvider credentials) {
    // The SDK closes neither an HTTP client nor a credentials provider it was handed.
    List<AutoCloseable> closeables = new ArrayList<>();
    if (client != null) {
      closeables.add(client);
    }
    closeables.add(http);
    if (credentials instanceof SdkAutoCloseable) {
      closeables.add((SdkAutoCloseable) credentials);
    }
    Exception failure = null;
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Reads a range of a file with positional reads, so that streams over one channel do not interfere. */
  private static final class FileRangeInputStream extends InputStream {
    private final BlobName name;
    private final FileChannel source;
    private final long end;
    private long position;

    FileRangeInputStream(BlobName name, FileChannel source, long offset, long length) {
      this.name = name;
      this.source = source;
      this.position = offset;
      this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (position >= end) {
        return -1;
      }
      int n = source.read(ByteBuffer.wrap(target, offset, (int) Math.min(length, end - position)), position);
      if (n < 0) {
        throw new EOFException("the source file of blob " + name + " ends at byte " + position + ", before the "
            + end + " bytes being put: the caller changed it during the put");
      }
      position += n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, end - position);
    }
  }

  /** Reads a buffer's remaining bytes; the SDK reads a body once to sign it and once to send it. */
  private static final class BufferInputStream extends InputStream {
    private final ByteBuffer buffer;

    BufferInputStream(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public int read() {
      return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] target, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      if (!buffer.hasRemaining()) {
        return -1;
      }
      int n = Math.min(length, buffer.remaining());
      buffer.get(target, offset, n);
      return n;
    }

    @Override
    public int available() {
      return buffer.remaining();
    }
  }
}
