/**
 * A {@link dev.bakare.store.spi.BlobStore} in an S3 bucket: blob {@code data/ab/abcd} is the object
 * {@code <prefix>/data/ab/abcd}. See {@link dev.bakare.store.s3.S3StorageProvider} for the configuration
 * and how the guarantees are kept.
 */
@NullMarked
package dev.bakare.store.s3;

import org.jspecify.annotations.NullMarked;
