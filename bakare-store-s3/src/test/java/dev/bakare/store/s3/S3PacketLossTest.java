package dev.bakare.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup across a link that loses 10% of its packets each way: s3proxy runs in one network namespace,
 * the backup in another (child JVMs started with {@code ip netns exec}), joined by a veth pair whose
 * client end drops packets at random with nftables ({@code numgen random mod 10 0 drop}; this kernel has
 * no {@code tc netem}). Needs Linux, root, {@code ip netns}, and nftables (installed with apt-get if
 * missing); skips saying which is missing elsewhere. The namespaces are removed in every case.
 */
class S3PacketLossTest {
  /** How long a child JVM may take to start serving, or to back up, restore and check. */
  private static final long CHILD_SECONDS = 240;

  private final String suffix = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
  private final String serverNamespace = "bakare-s3s-" + suffix;
  private final String clientNamespace = "bakare-s3c-" + suffix;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> children = new ArrayList<>();

  private record Result(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private static Result run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), output.strip());
  }

  private static Result runQuietly(String... command) throws InterruptedException {
    try {
      return run(command);
    } catch (IOException e) {
      return new Result(-1, String.valueOf(e.getMessage()));
    }
  }

  private static void require(Result result, String what) {
    if (!result.ok()) {
      throw new IllegalStateException(what + " failed (exit " + result.exit() + "): " + result.output());
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process child : children) {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    for (String namespace : namespaces) {
      // Deleting a namespace removes the veth end inside it, and with it the pair.
      runQuietly("ip", "netns", "del", namespace);
    }
  }

  @Test
  void aBackupAcrossALinkLosingTenPercentOfPacketsCompletesAndRestores(@TempDir Path temp) throws Exception {
    assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
        "network namespaces are a Linux feature");
    assumeTrue(runQuietly("id", "-u").output().equals("0"), "creating network namespaces needs root");
    assumeTrue(runQuietly("ip", "netns", "list").ok(), "the ip command (iproute2) with netns support is missing");
    assumeTrue(nftablesAvailable(), "nftables is not installed and 'apt-get install -y nftables' did not install it");
    Result added = runQuietly("ip", "netns", "add", serverNamespace);
    assumeTrue(added.ok(), "'ip netns add' is not permitted here: " + added.output());
    namespaces.add(serverNamespace);
    require(run("ip", "netns", "add", clientNamespace), "ip netns add " + clientNamespace);
    namespaces.add(clientNamespace);

    int subnet = 1 + ThreadLocalRandom.current().nextInt(250);
    String serverAddress = "10.213." + subnet + ".1";
    String clientAddress = "10.213." + subnet + ".2";
    String serverLink = "bks" + suffix;
    String clientLink = "bkc" + suffix;
    require(run("ip", "link", "add", serverLink, "type", "veth", "peer", "name", clientLink), "creating the veth pair");
    require(run("ip", "link", "set", serverLink, "netns", serverNamespace), "moving " + serverLink);
    require(run("ip", "link", "set", clientLink, "netns", clientNamespace), "moving " + clientLink);
    for (String[] end : new String[][] {{serverNamespace, serverLink, serverAddress}, {clientNamespace, clientLink, clientAddress}}) {
      require(run("ip", "-n", end[0], "addr", "add", end[2] + "/24", "dev", end[1]), "addressing " + end[1]);
      require(run("ip", "-n", end[0], "link", "set", end[1], "up"), "raising " + end[1]);
      require(run("ip", "-n", end[0], "link", "set", "lo", "up"), "raising lo in " + end[0]);
    }
    Path rules = temp.resolve("loss.nft");
    Files.writeString(rules, String.join("\n",
        "table inet bakare_loss {",
        "  chain in { type filter hook input priority 0; policy accept; iifname \"" + clientLink
            + "\" numgen random mod 10 0 counter drop; }",
        "  chain out { type filter hook output priority 0; policy accept; oifname \"" + clientLink
            + "\" numgen random mod 10 0 counter drop; }",
        "}", ""));
    require(run("ip", "netns", "exec", clientNamespace, "nft", "-f", rules.toString()), "loading the loss rules");

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("java.class.path");
    Process server = new ProcessBuilder("ip", "netns", "exec", serverNamespace, java, "-cp", classPath,
        NetnsS3ServerMain.class.getName(), serverAddress, "9000", temp.resolve("server").toString(), "lossy")
        .redirectErrorStream(true).start();
    children.add(server);
    Files.createDirectories(temp.resolve("server"));
    BufferedReader serverOutput =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
      StringBuilder seen = new StringBuilder();
      try {
        for (String line; (line = serverOutput.readLine()) != null; ) {
          if (line.equals("READY")) {
            return "READY";
          }
          seen.append(line).append('\n');
        }
      } catch (IOException e) {
        seen.append(e);
      }
      return seen.toString();
    });
    assertEquals("READY", ready.get(CHILD_SECONDS, TimeUnit.SECONDS), "the server in " + serverNamespace);

    Path source = temp.resolve("source");
    long size = TestTree.write(source, 99, 150, 3, List.of(4 << 20));
    Path log = temp.resolve("backup.log");
    Process backup = new ProcessBuilder("ip", "netns", "exec", clientNamespace, java, "-cp", classPath,
        NetnsBackupMain.class.getName(), "http://" + serverAddress + ":9000", "s3://lossy/repo", source.toString(),
        temp.resolve("restored").toString(), temp.resolve("keys").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(backup);
    boolean finished = backup.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
    String output = Files.readString(log);
    String counters = run("ip", "netns", "exec", clientNamespace, "nft", "list", "table", "inet", "bakare_loss").output();
    long dropped = 0;
    Matcher packets = Pattern.compile("packets (\\d+)").matcher(counters);
    while (packets.find()) {
      dropped += Long.parseLong(packets.group(1));
    }
    System.out.println("packet loss test: " + (size >> 20) + " MiB tree, " + dropped
        + " packets dropped by nftables\n" + output);
    assertTrue(finished, "the backup did not finish within " + CHILD_SECONDS + " s:\n" + output);
    assertEquals(0, backup.exitValue(), "the backup child failed:\n" + output);
    assertTrue(output.contains("identical=true clean=true"), output);
    assertTrue(dropped > 0, "the loss rules dropped nothing: " + counters);
  }

  /** Whether nft runs, installing nftables with apt-get first if it is missing (refreshing the lists once). */
  private static boolean nftablesAvailable() throws InterruptedException {
    if (runQuietly("nft", "--version").ok()) {
      return true;
    }
    if (!runQuietly("apt-get", "install", "-y", "nftables").ok()) {
      runQuietly("apt-get", "update");
      runQuietly("apt-get", "install", "-y", "nftables");
    }
    return runQuietly("nft", "--version").ok();
  }
}
