package dev.bakare.benchmarks;

import dev.bakare.BackupRequest;
import dev.bakare.Repository;
import dev.bakare.RepositoryOptions;
import dev.bakare.store.testkit.FaultProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;

/**
 * Upload throughput of a backup into S3 (s3proxy on loopback, storing on the same disk) as a ratio to the
 * same backup into a local directory, end to end through {@link Repository}: read, chunk, hash, compress,
 * encrypt, pack, upload. Also through a proxy adding 20 ms each way, with the default 16 connections and
 * with 2, to show what parallel uploads buy on a high-latency link.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.bakare.benchmarks.S3Throughput [MiB] [rounds]}
 * (256 MiB of incompressible files, 3 rounds by default). Each round backs up the same tree into a new
 * repository per target; two backups to each of a directory and s3proxy first warm the JIT. The report
 * gives every run and the median rate per target. On a machine with few cores the server competes with
 * the backup for them, so the ratio is a lower bound of what a remote server allows.
 */
public final class S3Throughput {
  private static final String ACCESS = "bench-access";
  private static final String SECRET = "bench-secret-key";
  private static final int FILE = 32 << 20;

  private S3Throughput() {}

  public static void main(String[] args) throws Exception {
    long size = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path work = Files.createTempDirectory("bakare-s3-bench");
    try {
      Path source = work.resolve("source");
      writeTree(source, size);
      Properties properties = new Properties();
      properties.setProperty("jclouds.filesystem.basedir", Files.createDirectories(work.resolve("s3")).toString());
      BlobStore backend = BlobStores.create("filesystem-nio2", properties);
      backend.createContainer("bench", CreateContainerOptions.NONE);
      S3Proxy server = S3Proxy.builder().blobStore(backend).endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
      server.start();
      while (!server.getState().equals("STARTED")) {
        Thread.onSpinWait();
      }
      FaultProxy slowLink = FaultProxy.builder("127.0.0.1", server.getPort()).latency(Duration.ofMillis(20))
          .build().start();
      try {
        Map<String, String> direct = s3Options("http://127.0.0.1:" + server.getPort());
        Map<String, String> far = s3Options(slowLink.httpEndpoint());
        Map<String, String> farFew = new LinkedHashMap<>(far);
        farFew.put("s3.connections", "2");

        // The JIT compiles the hot path and the S3 client over the first backups: two of each, not counted.
        for (int i = 1; i <= 2; i++) {
          System.out.printf("warm-up %d: directory %.0f MB/s, s3proxy %.0f MB/s%n", i,
              backup(work.resolve("warm-up-" + i), Map.of(), source, size, work),
              backup("s3://bench/warm-up-" + i, direct, source, size, work));
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
          record("directory", rates, backup(work.resolve("fs-" + round), Map.of(), source, size, work));
          record("s3proxy on loopback", rates, backup("s3://bench/direct-" + round, direct, source, size, work));
          record("s3proxy, 20 ms each way, 16 connections", rates,
              backup("s3://bench/far-" + round, far, source, size, work));
          record("s3proxy, 20 ms each way, 2 connections", rates,
              backup("s3://bench/far-few-" + round, farFew, source, size, work));
        }
        double baseline = median(rates.get("directory"));
        System.out.printf("%nbackup of %d MiB (incompressible), median of %d rounds, on %d cores:%n", size >> 20,
            rounds, Runtime.getRuntime().availableProcessors());
        for (Map.Entry<String, List<Double>> entry : rates.entrySet()) {
          double median = median(entry.getValue());
          System.out.printf("  %-42s %6.0f MB/s  (%.2f x directory)  runs: %s%n", entry.getKey(), median,
              median / baseline, entry.getValue().stream().map(r -> String.format("%.0f", r)).toList());
        }
      } finally {
        slowLink.close();
        server.stop();
        backend.close();
      }
    } finally {
      deleteTree(work);
    }
  }

  private static Map<String, String> s3Options(String endpoint) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("s3.endpoint", endpoint);
    options.put("s3.access-key-id", ACCESS);
    options.put("s3.secret-access-key", SECRET);
    return options;
  }

  private static void record(String target, Map<String, List<Double>> rates, double rate) {
    rates.computeIfAbsent(target, unused -> new ArrayList<>()).add(rate);
    System.out.printf("%-42s %6.0f MB/s%n", target, rate);
  }

  private static double backup(Path location, Map<String, String> storage, Path source, long size, Path work)
      throws IOException {
    return backup(location.toString(), storage, source, size, work);
  }

  /** Creates a repository, backs up the tree into it, and returns the rate in MB/s (init excluded). */
  private static double backup(String location, Map<String, String> storage, Path source, long size, Path work)
      throws IOException {
    RepositoryOptions options = RepositoryOptions.builder().location(location).storageOptions(storage)
        .configDirectory(work.resolve("keys")).build();
    try (Repository repository = Repository.init(options)) {
      long start = System.nanoTime();
      repository.backup(BackupRequest.of(source));
      return size / ((System.nanoTime() - start) / 1e3);
    }
  }

  private static void writeTree(Path source, long size) throws IOException {
    Files.createDirectories(source);
    SplittableRandom random = new SplittableRandom(20261126);
    byte[] block = new byte[1 << 20];
    for (long written = 0, file = 0; written < size; file++) {
      long length = Math.min(FILE, size - written);
      try (OutputStream out = Files.newOutputStream(source.resolve("f" + file + ".bin"))) {
        for (long left = length; left > 0; left -= block.length) {
          random.nextBytes(block);
          out.write(block, 0, (int) Math.min(left, block.length));
        }
      }
      written += length;
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
