package dev.bakare.store.testkit;

import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.ForwardingBlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs single tests of the contract suite against stores that each break one guarantee, and checks that
 * the test fails: a suite whose tests cannot fail certifies nothing. The suites below are static nested
 * classes, which the build's test scan skips, so they run only from here.
 */
class ContractSuiteCatchesDefectsTest {

  static Stream<Arguments> defects() {
    return Stream.of(
        arguments(MovesTheCallersPosition.class, "putStoresOnlyTheRemainingBytesAndLeavesTheBufferAlone"),
        arguments(KeepsTheCallersBuffer.class, "putCopiesTheContent"),
        arguments(SharesReturnedBuffers.class, "getReturnsBuffersTheCallerOwns"),
        arguments(ClampsRanges.class, "rangeGetPastTheEndFailsPermanentlyNamingTheBlob"),
        arguments(ReplacesOnCreateOnly.class, "createOnlyRefusesATakenNameAndKeepsTheOriginal"),
        arguments(ReplacesOnCreateOnly.class, "concurrentCreateOnlyOfOneNameHasExactlyOneWinner"),
        arguments(ListsTwice.class, "listReportsEveryBlobUnderThePrefixOnceWithItsSize"),
        arguments(ListsTwice.class, "concurrentPutsOfDistinctBlobsAreAllStoredAndListed"),
        arguments(ListsWholeSegments.class, "listReportsEveryBlobUnderThePrefixOnceWithItsSize"),
        arguments(SkipsPrefixCheck.class, "listRejectsInvalidPrefixes"),
        arguments(HidesMissingBlobs.class, "getOfAMissingBlobFailsNamingTheBlob"),
        arguments(IgnoresClose.class, "aClosedStoreRefusesDataOperations"));
  }

  @ParameterizedTest(name = "{0} fails {1}")
  @MethodSource("defects")
  void theSuiteFailsAStoreThatBreaksAGuarantee(Class<? extends BlobStoreContractTest> suite, String test) {
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectMethod(suite, test))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(1).failed(1));
  }

  /** put reads the caller's buffer instead of a duplicate, moving its position to the limit. */
  static class MovesTheCallersPosition extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
          super.put(name, content, mode);
          content.position(content.limit());
        }
      };
    }
  }

  /** get answers from the caller's buffer, so changing it after put changes the blob. */
  static class KeepsTheCallersBuffer extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      Map<BlobName, ByteBuffer> kept = new ConcurrentHashMap<>();
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
          super.put(name, content, mode);
          kept.put(name, content);
        }

        @Override
        public ByteBuffer get(BlobName name) throws StorageException {
          ByteBuffer buffer = kept.get(name);
          return buffer == null ? super.get(name) : buffer.duplicate();
        }
      };
    }
  }

  /** get hands every caller the same buffer. */
  static class SharesReturnedBuffers extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      Map<BlobName, ByteBuffer> cache = new ConcurrentHashMap<>();
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public ByteBuffer get(BlobName name) throws StorageException {
          ByteBuffer cached = cache.get(name);
          if (cached == null) {
            cached = super.get(name);
            cache.put(name, cached);
          }
          return cached.duplicate();
        }
      };
    }
  }

  /** A range past the end returns what there is instead of failing. */
  static class ClampsRanges extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
          long size = stat(name).map(BlobInfo::size).orElse(0L);
          long start = Math.min(offset, size);
          return super.get(name, start, (int) Math.min(length, size - start));
        }
      };
    }
  }

  /** Create-only puts overwrite. */
  static class ReplacesOnCreateOnly extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
          super.put(name, content, PutMode.REPLACE);
        }
      };
    }
  }

  /** Every blob is listed twice, as a store paging through a listing without a cursor might. */
  static class ListsTwice extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
          super.list(prefix, consumer);
          super.list(prefix, consumer);
        }
      };
    }
  }

  /** A partial last segment ({@code data/a}) is treated as its whole directory ({@code data/}). */
  static class ListsWholeSegments extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
          super.list(prefix.substring(0, prefix.lastIndexOf('/') + 1), consumer);
        }
      };
    }
  }

  /** An invalid prefix lists nothing instead of being refused. */
  static class SkipsPrefixCheck extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException {
          if (BlobName.isValid(prefix + "x")) {
            super.list(prefix, consumer);
          }
        }
      };
    }
  }

  /** A missing blob comes back as a generic, transient failure. */
  static class HidesMissingBlobs extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public ByteBuffer get(BlobName name) throws StorageException {
          if (stat(name).isEmpty()) {
            throw new StorageException("read failed", null, true);
          }
          return super.get(name);
        }
      };
    }
  }

  /** close does nothing. */
  static class IgnoresClose extends BlobStoreContractTest {
    @Override
    protected BlobStore openEmptyStore() {
      return new ForwardingBlobStore(new MemoryBlobStore()) {
        @Override
        public void close() {}
      };
    }
  }
}
