/**
 * The S3 storage provider of bakare: {@code s3://bucket/prefix} on AWS S3 and S3-compatible servers. It
 * exports no package: it is reached through {@link dev.bakare.store.spi.StorageProviders} by scheme.
 */
module dev.bakare.store.s3 {
  requires dev.bakare.store.spi;
  requires static org.jspecify;
  requires software.amazon.awssdk.services.s3;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.identity.spi;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.apache5;
  requires software.amazon.awssdk.retries.api;
  requires software.amazon.awssdk.utils;

  provides dev.bakare.store.spi.StorageProvider with
      dev.bakare.store.s3.S3StorageProvider;
}
