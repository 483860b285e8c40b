package dev.bakare.store.s3;

import java.net.URI;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;

/**
 * s3proxy in a child JVM, for {@link S3PacketLossTest}: {@code <address> <port> <directory> <bucket>}.
 * Prints {@code READY} when it serves, and stops when its standard input ends (the test closed it, or
 * died).
 */
public final class NetnsS3ServerMain {
  private NetnsS3ServerMain() {}

  public static void main(String[] args) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", Path.of(args[2]).toString());
    BlobStore backend = BlobStores.create("filesystem-nio2", properties);
    backend.createContainer(args[3], CreateContainerOptions.NONE);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(backend)
            .endpoint(URI.create("http://" + args[0] + ":" + args[1]))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3Server.ACCESS_KEY, S3Server.SECRET_KEY)
            .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      if (proxy.getState().equals("FAILED")) {
        throw new IllegalStateException("s3proxy failed to start on " + args[0] + ":" + args[1]);
      }
      Thread.onSpinWait();
    }
    System.out.println("READY");
    System.out.flush();
    System.in.transferTo(OutputStream.nullOutputStream());
    proxy.stop();
  }
}
