package dev.bakare.store.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against a real TCP echo server on loopback. */
class FaultProxyTest {
  private static final int SIZE = 1 << 20;

  private ServerSocket echoServer;
  private Thread echoThread;

  /** Echoes every connection's bytes back until the client half-closes. */
  @BeforeEach
  void startEchoServer() throws IOException {
    echoServer = new ServerSocket();
    echoServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    echoThread = new Thread(() -> {
      while (true) {
        Socket socket;
        try {
          socket = echoServer.accept();
        } catch (IOException e) {
          return;
        }
        Thread handler = new Thread(() -> {
          try (socket) {
            socket.getInputStream().transferTo(socket.getOutputStream());
            socket.shutdownOutput();
          } catch (IOException e) {
            // The proxy reset or cut the connection, as the test told it to.
          }
        });
        handler.setDaemon(true);
        handler.start();
      }
    });
    echoThread.setDaemon(true);
    echoThread.start();
  }

  @AfterEach
  void stopEchoServer() throws Exception {
    echoServer.close();
    echoThread.join();
  }

  private FaultProxy.Builder proxy() {
    return FaultProxy.builder("127.0.0.1", echoServer.getLocalPort());
  }

  /** What came back through the proxy, and the first failure of the socket, if any. */
  private record Result(byte[] bytes, @Nullable IOException failure) {
    boolean complete(int size) {
      return failure == null && bytes.length == size;
    }
  }

  /** Sends {@code data} through the proxy and collects what comes back until the connection ends. */
  private static Result roundTrip(FaultProxy proxy, byte[] data) throws InterruptedException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    AtomicReference<@Nullable IOException> failure = new AtomicReference<>();
    try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
      InputStream in = socket.getInputStream();
      Thread reader = new Thread(() -> {
        try {
          in.transferTo(received);
        } catch (IOException e) {
          failure.compareAndSet(null, e);
        }
      });
      reader.start();
      try {
        OutputStream out = socket.getOutputStream();
        out.write(data);
        socket.shutdownOutput();
      } catch (IOException e) {
        failure.compareAndSet(null, e);
      }
      reader.join();
    } catch (IOException e) {
      failure.compareAndSet(null, e);
    }
    return new Result(received.toByteArray(), failure.get());
  }

  private static byte[] data(long seed) {
    byte[] data = new byte[SIZE];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void withoutFaultsBytesPassUnchangedBothWays() throws Exception {
    try (FaultProxy proxy = proxy().build().start()) {
      byte[] data = data(1);
      Result result = roundTrip(proxy, data);
      assertEquals(null, result.failure());
      assertArrayEquals(data, result.bytes());
      assertEquals(1, proxy.connections());
      assertEquals(SIZE, proxy.bytesUpstream());
      assertEquals(SIZE, proxy.bytesDownstream());
      assertEquals(0, proxy.resets() + proxy.cuts() + proxy.stalls());
    }
  }

  @Test
  void aResetConnectionFailsOnTheClient() throws Exception {
    try (FaultProxy proxy =
        proxy().resetProbability(1.0).faultWindowBytes(64 * 1024).build().start()) {
      Result result = roundTrip(proxy, data(2));
      assertTrue(!result.complete(SIZE), "a reset connection delivered everything: " + proxy.summary());
      assertEquals(1, proxy.resets());
      assertTrue(proxy.bytesUpstream() + proxy.bytesDownstream() <= 64 * 1024 + 16 * 1024,
          "the reset struck inside the window: " + proxy.summary());
    }
  }

  @Test
  void aCutConnectionEndsEarlyMidTransfer() throws Exception {
    try (FaultProxy proxy =
        proxy().cutProbability(1.0).faultWindowBytes(SIZE / 2).build().start()) {
      FaultProxy.Decision decision = proxy.plan(0, 1).get(0);
      Result result = roundTrip(proxy, data(3));
      assertTrue(result.bytes().length <= decision.afterBytes(), result.bytes().length
          + " bytes came back after a cut at " + decision.afterBytes());
      assertEquals(1, proxy.cuts());
      long passed = proxy.bytesUpstream() + proxy.bytesDownstream();
      // Both pumps may have had a read in flight when the cut came due: at most one buffer more.
      assertTrue(passed >= decision.afterBytes() && passed <= decision.afterBytes() + 16 * 1024,
          passed + " bytes passed for a cut after " + decision.afterBytes());
    }
  }

  @Test
  void aStalledConnectionResumesAndDeliversEverything() throws Exception {
    try (FaultProxy proxy =
        proxy().stallProbability(1.0).stallDuration(Duration.ofMillis(50), Duration.ofMillis(100)).build().start()) {
      byte[] data = data(4);
      Result result = roundTrip(proxy, data);
      assertEquals(null, result.failure());
      assertArrayEquals(data, result.bytes());
      assertTrue(proxy.stalls() >= 1, proxy.summary());
      assertEquals(0, proxy.resets() + proxy.cuts());
    }
  }

  @Test
  void throttlingAndLatencyDelayButDeliverEverything() throws Exception {
    try (FaultProxy proxy = proxy().bandwidth(8L << 20).latency(Duration.ofMillis(5)).build().start()) {
      byte[] data = data(5);
      Result result = roundTrip(proxy, data);
      assertEquals(null, result.failure());
      assertArrayEquals(data, result.bytes());
      assertTrue(proxy.throttleWaits() > 0, "1 MiB at 8 MiB/s must have been held back: " + proxy.summary());
    }
  }

  @Test
  void faultsComeWithTrafficSoOneLongConnectionMeetsMany() throws Exception {
    try (FaultProxy proxy =
        proxy().stallProbability(0.5).faultWindowBytes(64 * 1024).stallDuration(Duration.ZERO, Duration.ofMillis(2))
            .build().start()) {
      byte[] data = data(6);
      Result result = roundTrip(proxy, data);
      assertArrayEquals(data, result.bytes());
      assertEquals(1, proxy.connections());
      assertTrue(proxy.stalls() > 5, "2 MiB through 64 KiB windows at one half: " + proxy.summary());
      assertTrue(proxy.decisions().size() > 10, "decisions drawn: " + proxy.decisions().size());
    }
  }

  @Test
  void theSameSeedGivesEveryConnectionTheSameFate() throws Exception {
    FaultProxy a = proxy().seed(7).resetProbability(0.2).cutProbability(0.2).stallProbability(0.2).build();
    FaultProxy b = proxy().seed(7).resetProbability(0.2).cutProbability(0.2).stallProbability(0.2).build();
    FaultProxy c = proxy().seed(8).resetProbability(0.2).cutProbability(0.2).stallProbability(0.2).build();
    List<FaultProxy.Decision> fromA = new ArrayList<>();
    List<FaultProxy.Decision> fromB = new ArrayList<>();
    List<FaultProxy.Decision> fromC = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fromA.addAll(a.plan(i, 4));
      fromB.addAll(b.plan(i, 4));
      fromC.addAll(c.plan(i, 4));
    }
    assertEquals(fromA, fromB);
    assertNotEquals(fromA, fromC);
    long faulty = fromA.stream().filter(d -> d.fault() != FaultProxy.Fault.NONE).count();
    assertTrue(faulty > 80 && faulty < 160, "about 60% of 200 connections get a fault, got " + faulty);

    try (FaultProxy started = proxy().seed(7).resetProbability(0.2).cutProbability(0.2).stallProbability(0.2)
        .stallDuration(Duration.ZERO, Duration.ofMillis(10)).build().start()) {
      for (int i = 0; i < 10; i++) {
        roundTrip(started, new byte[1000]);
      }
      List<FaultProxy.Decision> planned = new ArrayList<>();
      for (FaultProxy.Decision drawn : started.decisions()) {
        planned.add(a.plan(drawn.connection(), drawn.sequence() + 1).get(drawn.sequence()));
      }
      assertEquals(planned.stream().map(d -> d.fault() + "/" + d.afterBytes()).toList(),
          started.decisions().stream().map(d -> d.fault() + "/" + d.afterBytes()).toList(),
          "the decisions of a running proxy follow the seed");
      assertEquals(10, started.connections());
    }
  }

  @Test
  void anUnreachableTargetResetsTheClient() throws Exception {
    int deadPort;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = gone.getLocalPort();
    }
    try (FaultProxy proxy = FaultProxy.builder("127.0.0.1", deadPort).build().start()) {
      Result result = roundTrip(proxy, new byte[10]);
      assertEquals(0, result.bytes().length);
      assertEquals(1, proxy.targetUnreachable());
    }
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> proxy().resetProbability(1.5));
    assertThrows(IllegalArgumentException.class, () -> proxy().resetProbability(0.6).cutProbability(0.6).build());
    assertThrows(IllegalArgumentException.class, () -> proxy().faultWindowBytes(0));
    assertThrows(IllegalArgumentException.class, () -> FaultProxy.builder("127.0.0.1", 0));
  }
}
