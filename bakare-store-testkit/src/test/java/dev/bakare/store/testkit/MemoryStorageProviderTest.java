package dev.bakare.store.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryStorageProviderTest {
  private static final String NAME = "provider-test";
  private static final BlobName BLOB = BlobName.of("config");

  @AfterEach
  void dropStore() {
    MemoryStorageProvider.drop(NAME);
  }

  @Test
  void handlesOpenedByNameShareBlobsAndCloseAlone() throws Exception {
    BlobStore first = open("mem:" + NAME, OpenMode.CREATE);
    first.put(BLOB, ByteBuffer.wrap(new byte[] {1, 2}), PutMode.CREATE_ONLY);
    try (BlobStore second = open("mem:" + NAME, OpenMode.EXISTING)) {
      assertArrayEquals(new byte[] {1, 2}, second.get(BLOB).array(), "a second handle sees the first's blob");
      first.close();
      second.put(BlobName.of("later"), ByteBuffer.allocate(3), PutMode.CREATE_ONLY);
      assertEquals(3, second.stat(BlobName.of("later")).orElseThrow().size(), "closing one handle closed another");
      assertEquals("mem:" + NAME, second.describe());
    }
    try (BlobStore third = open("mem:" + NAME, OpenMode.CREATE)) {
      assertTrue(third.stat(BLOB).isPresent(), "CREATE of an existing name must not empty it");
    }
  }

  @Test
  void existingModeFailsForANameNeverCreated() {
    StorageException e = assertThrows(StorageException.class, () -> open("mem:" + NAME, OpenMode.EXISTING));
    assertTrue(e.getMessage().contains("'" + NAME + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("create"), "the message should say what to do: " + e.getMessage());
    assertFalse(e.isTransient());
  }

  @Test
  void dropForgetsTheStore() throws Exception {
    try (BlobStore store = open("mem:" + NAME, OpenMode.CREATE)) {
      store.put(BLOB, ByteBuffer.allocate(1), PutMode.CREATE_ONLY);
      assertTrue(MemoryStorageProvider.drop(NAME));
      assertFalse(MemoryStorageProvider.drop(NAME), "a second drop finds nothing");
      assertThrows(StorageException.class, () -> open("mem:" + NAME, OpenMode.EXISTING));
      assertTrue(store.stat(BLOB).isPresent(), "a handle open before the drop keeps its blobs");
    }
    try (BlobStore fresh = open("mem:" + NAME, OpenMode.CREATE)) {
      assertEquals(Optional.empty(), fresh.stat(BLOB), "a store created after a drop starts empty");
    }
  }

  @Test
  void optionsAreRejectedByName() {
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> StorageProviders.open(StorageLocation.parse("mem:" + NAME, Map.of("s3.region", "x")), OpenMode.CREATE));
    assertTrue(e.getMessage().contains("s3.region"), e.getMessage());
  }

  @Test
  void malformedLocationsAreRejected() {
    for (String location : new String[] {"mem://host/" + NAME, "mem:" + NAME + "#part", "mem:/" + NAME}) {
      StorageException e = assertThrows(StorageException.class, () -> open(location, OpenMode.CREATE), location);
      assertTrue(e.getMessage().contains("mem:NAME"), "the message should show the right form: " + e.getMessage());
    }
  }

  private static BlobStore open(String location, OpenMode mode) throws StorageException {
    return StorageProviders.open(StorageLocation.parse(location, Map.of()), mode);
  }
}
