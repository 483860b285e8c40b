package dev.bakare.store.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy that damages the connections it forwards, for tests of clients on a flaky network: it
 * listens on loopback and forwards each connection to a target, and at random it resets a connection
 * (an RST, as from a NAT box that forgot it), cuts it (a FIN, as from a server that gave up), or stalls
 * it for a while (as on a congested link). It can also throttle every connection's bandwidth and delay
 * every byte by a latency. Plain sockets and two threads per connection (four with latency).
 *
 * <p>Faults come with traffic, as on a real link, not once per connection: each connection draws a
 * {@link Decision} (a fault or none, and a number of bytes below the fault window); once that many bytes
 * have passed it, either way, the fault strikes, and a connection still open draws its next decision. So
 * a long-lived keep-alive connection meets faults too, and the probabilities are per window of traffic.
 *
 * <p>Replayable: connection number {@code i} (counting from 0 in accept order) draws its decisions from
 * the seed and {@code i} alone, whatever the timing of threads ({@link #plan}); {@link #decisions()}
 * lists those drawn so far.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.builder("127.0.0.1", serverPort).seed(42)
 *     .resetProbability(0.1).cutProbability(0.05).stallProbability(0.1).build().start()) {
 *   client.connect("127.0.0.1", proxy.port());
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {

  /** What happens to one connection. */
  public enum Fault {
    /** Forwarded faithfully. */
    NONE,
    /** Both sides get a TCP reset (close with SO_LINGER 0). */
    RESET,
    /** Both sides are closed normally, mid-transfer. */
    CUT,
    /** Forwarding stops in both directions for the stall's duration, then goes on. */
    STALL
  }

  /**
   * One draw of a connection's fate: {@code fault} strikes once {@code afterBytes} more bytes have passed
   * the connection (either way; never if the connection ends first); a stall lasts {@code stall}.
   *
   * @param connection the connection's number, from 0 in accept order
   * @param sequence the draw's number within the connection, from 0
   */
  public record Decision(int connection, int sequence, Fault fault, long afterBytes, Duration stall) {}

  private static final int BUFFER = 16 * 1024;

  private final Settings config;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicLong resets = new AtomicLong();
  private final AtomicLong cuts = new AtomicLong();
  private final AtomicLong stalls = new AtomicLong();
  private final AtomicLong throttleWaits = new AtomicLong();
  private final AtomicLong bytesUpstream = new AtomicLong();
  private final AtomicLong bytesDownstream = new AtomicLong();
  private final AtomicLong targetUnreachable = new AtomicLong();
  private final List<Decision> decisions = new ArrayList<>();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private @Nullable ServerSocket server;

  private FaultProxy(Settings config) {
    this.config = config;
  }

  /** A proxy to {@code host:port} that forwards faithfully until told otherwise. */
  public static Builder builder(String host, int port) {
    return new Builder(host, port);
  }

  /** Binds an ephemeral port on the bind address and starts accepting connections. */
  public synchronized FaultProxy start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("the fault proxy on port " + port() + " is already started");
    }
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(config.bindAddress(), 0), 128);
    server = socket;
    Thread acceptor = daemon("fault-proxy-accept-" + socket.getLocalPort(), this::acceptLoop);
    threads.add(acceptor);
    acceptor.start();
    return this;
  }

  /** The port the proxy listens on. */
  public int port() {
    ServerSocket socket = server;
    if (socket == null) {
      throw new IllegalStateException("the fault proxy is not started: call start() first");
    }
    return socket.getLocalPort();
  }

  /** {@code http://<bind address>:<port>}, for HTTP clients. */
  public String httpEndpoint() {
    return "http://" + config.bindAddress().getHostAddress() + ":" + port();
  }

  /** Connections accepted so far. */
  public long connections() {
    return accepted.get();
  }

  /** Connections reset so far (the fault struck, not merely planned). */
  public long resets() {
    return resets.get();
  }

  /** Connections cut so far. */
  public long cuts() {
    return cuts.get();
  }

  /** Stalls so far. */
  public long stalls() {
    return stalls.get();
  }

  /** How often throttling held a connection back. */
  public long throttleWaits() {
    return throttleWaits.get();
  }

  /** Bytes forwarded from clients to the target. */
  public long bytesUpstream() {
    return bytesUpstream.get();
  }

  /** Bytes forwarded from the target to clients. */
  public long bytesDownstream() {
    return bytesDownstream.get();
  }

  /** Connections whose target could not be reached (they were reset at once). */
  public long targetUnreachable() {
    return targetUnreachable.get();
  }

  /**
   * Closes every connection open now, quietly on both sides, as a server does with an idle kept-alive
   * connection: a client that reuses it from its pool finds it closed when it sends the next request.
   */
  public void closeOpenConnections() {
    for (Link link : links) {
      link.close(false);
    }
  }

  /** The decisions drawn so far, by connection and sequence. */
  public synchronized List<Decision> decisions() {
    List<Decision> sorted = new ArrayList<>(decisions);
    sorted.sort(Comparator.comparingInt(Decision::connection).thenComparingInt(Decision::sequence));
    return sorted;
  }

  private synchronized void record(Decision decision) {
    decisions.add(decision);
  }

  /** What the proxy did, for test logs. */
  public String summary() {
    return "fault proxy: " + connections() + " connections, " + resets() + " reset, " + cuts() + " cut, " + stalls()
        + " stalled, " + throttleWaits() + " throttle waits, " + bytesUpstream() + " bytes up, " + bytesDownstream()
        + " bytes down (seed " + config.seed() + ")";
  }

  /**
   * The first {@code count} decisions connection number {@code connection} draws under this
   * configuration: a pure function of the seed and the number.
   */
  public List<Decision> plan(int connection, int count) {
    SplittableRandom random = fatesOf(connection);
    List<Decision> plan = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      plan.add(draw(random, connection, i));
    }
    return plan;
  }

  private SplittableRandom fatesOf(int connection) {
    return new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + connection);
  }

  private Decision draw(SplittableRandom random, int connection, int sequence) {
    double draw = random.nextDouble();
    long after = 1 + random.nextLong(config.faultWindowBytes());
    long stallMillis =
        config.stallMin().toMillis() + random.nextLong(config.stallMax().toMillis() - config.stallMin().toMillis() + 1);
    Fault fault;
    if (draw < config.resetProbability()) {
      fault = Fault.RESET;
    } else if (draw < config.resetProbability() + config.cutProbability()) {
      fault = Fault.CUT;
    } else if (draw < config.resetProbability() + config.cutProbability() + config.stallProbability()) {
      fault = Fault.STALL;
    } else {
      fault = Fault.NONE;
    }
    return new Decision(connection, sequence, fault, after, Duration.ofMillis(stallMillis));
  }

  /** Stops accepting, closes every connection and waits for the proxy's threads to end. */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ServerSocket socket = server;
    if (socket != null) {
      socket.close();
    }
    for (Link link : links) {
      link.close(false);
    }
    List<Thread> started;
    synchronized (this) {
      started = new ArrayList<>(threads);
    }
    for (Thread thread : started) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stopping the fault proxy's threads", e);
      }
    }
  }

  // ---------------------------------------------------------------- forwarding

  private void acceptLoop() {
    ServerSocket socket = server;
    while (socket != null && !closed.get()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // closed
      }
      int number = accepted.getAndIncrement();
      Socket target = new Socket();
      try {
        target.connect(new InetSocketAddress(config.host(), config.port()), (int) TimeUnit.SECONDS.toMillis(10));
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
      } catch (IOException e) {
        targetUnreachable.incrementAndGet();
        reset(client);
        closeQuietly(target);
        continue;
      }
      Link link = new Link(client, target, number);
      links.add(link);
      link.start();
    }
  }

  /** One proxied connection: a pump per direction sharing the connection's decisions. */
  private final class Link {
    final Socket client;
    final Socket target;
    final int number;
    final SplittableRandom fates;
    final AtomicInteger pumpsRunning = new AtomicInteger(2);
    final AtomicBoolean closedLink = new AtomicBoolean();
    volatile long stalledUntil;
    private Decision current;
    private long passed;

    Link(Socket client, Socket target, int number) {
      this.client = client;
      this.target = target;
      this.number = number;
      this.fates = fatesOf(number);
      this.current = draw(fates, number, 0);
      record(current);
    }

    void start() {
      String name = "fault-proxy-" + number;
      Thread up = daemon(name + "-up", () -> pump(client, target, bytesUpstream));
      Thread down = daemon(name + "-down", () -> pump(target, client, bytesDownstream));
      synchronized (FaultProxy.this) {
        threads.removeIf(t -> !t.isAlive());
        threads.add(up);
        threads.add(down);
      }
      up.start();
      down.start();
    }

    /** How many bytes a pump may read before the current decision comes due (at least 1). */
    synchronized int allowance(int most) {
      return (int) Math.max(1, Math.min(most, current.afterBytes() - passed));
    }

    /** Counts bytes passed; returns the decision that came due with them, if one did, and draws the next. */
    synchronized @Nullable Decision advance(int bytes) {
      passed += bytes;
      if (passed < current.afterBytes()) {
        return null;
      }
      Decision due = current;
      passed = 0;
      current = draw(fates, number, due.sequence() + 1);
      record(current);
      return due;
    }

    private void pump(Socket from, Socket to, AtomicLong counter) {
      Sink sink = null;
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        sink = newSink(out);
        byte[] buffer = new byte[BUFFER];
        long throttleStart = System.nanoTime();
        long throttled = 0;
        while (true) {
          int n = in.read(buffer, 0, allowance(buffer.length));
          if (n < 0) {
            sink.finish();
            to.shutdownOutput();
            return;
          }
          waitOutStall();
          sink.write(buffer, n);
          counter.addAndGet(n);
          if (config.bytesPerSecond() > 0) {
            throttled += n;
            long due = throttleStart + throttled * 1_000_000_000L / config.bytesPerSecond();
            long wait = due - System.nanoTime();
            if (wait > 0) {
              throttleWaits.incrementAndGet();
              TimeUnit.NANOSECONDS.sleep(wait);
            }
          }
          Decision due = advance(n);
          if (due != null && due.fault() != Fault.NONE) {
            sink.finish();
            if (strike(due)) {
              return;
            }
            sink = newSink(out);
          }
        }
      } catch (IOException e) {
        // The other side went away, or this link was closed: end the connection for both sides.
        close(false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close(false);
      } finally {
        if (sink != null) {
          sink.abandon();
        }
        if (pumpsRunning.decrementAndGet() == 0) {
          close(false);
        }
      }
    }

    private Sink newSink(OutputStream out) {
      return config.latency().isZero() ? new DirectSink(out) : new DelayedSink(out);
    }

    /** Performs a fault that came due; returns whether the connection is over. */
    private boolean strike(Decision decision) throws InterruptedException {
      switch (decision.fault()) {
        case RESET -> {
          resets.incrementAndGet();
          close(true);
          return true;
        }
        case CUT -> {
          cuts.incrementAndGet();
          close(false);
          return true;
        }
        case STALL -> {
          stalls.incrementAndGet();
          stalledUntil = System.nanoTime() + decision.stall().toNanos();
          waitOutStall();
          return false;
        }
        default -> {
          return false;
        }
      }
    }

    private void waitOutStall() throws InterruptedException {
      long wait = stalledUntil - System.nanoTime();
      if (stalledUntil != 0 && wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }

    void close(boolean withReset) {
      if (!closedLink.compareAndSet(false, true)) {
        return;
      }
      links.remove(this);
      if (withReset) {
        reset(client);
        reset(target);
      } else {
        closeQuietly(client);
        closeQuietly(target);
      }
    }
  }

  /** Where a pump writes: directly, or through a delay line. */
  private interface Sink {
    void write(byte[] bytes, int length) throws IOException, InterruptedException;

    /** Waits until everything written has been passed on. */
    void finish() throws IOException, InterruptedException;

    /** Stops passing anything on. */
    void abandon();
  }

  private static final class DirectSink implements Sink {
    private final OutputStream out;

    DirectSink(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(byte[] bytes, int length) throws IOException {
      out.write(bytes, 0, length);
      out.flush();
    }

    @Override
    public void finish() {}

    @Override
    public void abandon() {}
  }

  /** Holds every chunk for the latency before passing it on, on a thread of its own, in order. */
  private final class DelayedSink implements Sink {
    private record Chunk(long due, byte[] bytes) {}

    private static final byte[] END = new byte[0];

    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(256);
    private final Thread writer;
    private volatile @Nullable IOException failure;

    DelayedSink(OutputStream out) {
      writer = daemon("fault-proxy-delay", () -> {
        try {
          while (true) {
            Chunk chunk = queue.take();
            if (chunk.bytes() == END) {
              return;
            }
            long wait = chunk.due() - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            out.write(chunk.bytes());
            out.flush();
          }
        } catch (IOException e) {
          failure = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      synchronized (FaultProxy.this) {
        threads.add(writer);
      }
      writer.start();
    }

    @Override
    public void write(byte[] bytes, int length) throws IOException, InterruptedException {
      IOException failed = failure;
      if (failed != null) {
        throw failed;
      }
      queue.put(new Chunk(System.nanoTime() + config.latency().toNanos(), Arrays.copyOf(bytes, length)));
    }

    @Override
    public void finish() throws IOException, InterruptedException {
      queue.put(new Chunk(0, END));
      writer.join();
      IOException failed = failure;
      if (failed != null) {
        throw failed;
      }
    }

    @Override
    public void abandon() {
      writer.interrupt();
    }
  }

  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // Already closed: there is nothing left to reset.
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing a socket only fails if it is already broken, which is the state wanted here.
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  /** The configuration, fixed when built. */
  private record Settings(
      String host,
      int port,
      InetAddress bindAddress,
      long seed,
      double resetProbability,
      double cutProbability,
      double stallProbability,
      long faultWindowBytes,
      Duration stallMin,
      Duration stallMax,
      Duration latency,
      long bytesPerSecond) {}

  /** Configures a {@link FaultProxy}; everything is off until set. */
  public static final class Builder {
    private final String host;
    private final int port;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private long seed;
    private double resetProbability;
    private double cutProbability;
    private double stallProbability;
    private long faultWindowBytes = 1 << 20;
    private Duration stallMin = Duration.ofMillis(100);
    private Duration stallMax = Duration.ofSeconds(1);
    private Duration latency = Duration.ZERO;
    private long bytesPerSecond;

    private Builder(String host, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("target port " + port + " is not between 1 and 65535");
      }
      this.host = host;
      this.port = port;
    }

    /** Seeds the choice of faults: the same seed gives every connection number the same fate. */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** The probability that a decision resets the connection. */
    public Builder resetProbability(double value) {
      this.resetProbability = probability(value, "reset");
      return this;
    }

    /** The probability that a decision cuts the connection (closes it normally) mid-transfer. */
    public Builder cutProbability(double value) {
      this.cutProbability = probability(value, "cut");
      return this;
    }

    /** The probability that a decision stalls the connection. */
    public Builder stallProbability(double value) {
      this.stallProbability = probability(value, "stall");
      return this;
    }

    /**
     * Each decision comes due after a number of bytes drawn uniformly from 1 to this (1 MiB by default):
     * the probabilities are per this much traffic, roughly twice.
     */
    public Builder faultWindowBytes(long value) {
      if (value < 1) {
        throw new IllegalArgumentException("fault window must be at least 1 byte, got " + value);
      }
      this.faultWindowBytes = value;
      return this;
    }

    /** How long stalls last: drawn uniformly between the two (100 ms to 1 s by default). */
    public Builder stallDuration(Duration min, Duration max) {
      if (min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("stall duration range " + min + " to " + max + " is empty or negative");
      }
      this.stallMin = min;
      this.stallMax = max;
      return this;
    }

    /** Delays every byte by this much in each direction (none by default). */
    public Builder latency(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative, got " + value);
      }
      this.latency = value;
      return this;
    }

    /** Limits each connection to this many bytes per second in each direction; 0 means no limit. */
    public Builder bandwidth(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("bandwidth must not be negative, got " + value);
      }
      this.bytesPerSecond = value;
      return this;
    }

    /** The address to listen on (the loopback address by default). */
    public Builder bindAddress(InetAddress value) {
      this.bindAddress = value;
      return this;
    }

    public FaultProxy build() {
      if (resetProbability + cutProbability + stallProbability > 1.0) {
        throw new IllegalArgumentException(
            "fault probabilities add up to more than 1: reset " + resetProbability + ", cut " + cutProbability
                + ", stall " + stallProbability);
      }
      return new FaultProxy(
          new Settings(host, port, bindAddress, seed, resetProbability, cutProbability, stallProbability,
              faultWindowBytes, stallMin, stallMax, latency, bytesPerSecond));
    }

    private static double probability(double value, String what) {
      if (!(value >= 0.0 && value <= 1.0)) {
        throw new IllegalArgumentException(what + " probability " + value + " is not between 0 and 1");
      }
      return value;
    }
  }
}
