package dev.bakare.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code bakare} command: {@code bakare [-r LOCATION] COMMAND ...}. {@link #run} does all the work and
 * returns the exit code, so that tests can run the CLI in-process; only {@link #main} exits.
 */
public final class Main {
  /** Exit code: the command did what was asked. */
  static final int SUCCESS = 0;
  /** Exit code: the command failed; one line on stderr says why. */
  static final int FAILURE = 1;
  /** Exit code: the command line is wrong (picocli's own code for that). */
  static final int USAGE = CommandLine.ExitCode.USAGE;
  /** Exit code: a backup was saved, but some files could not be read. */
  static final int PARTIAL = 3;

  /**
   * The subcommands by name, in the order of the usage message, each made only when a command line needs
   * it: picocli's model of a command costs a cold JVM 10-20 ms to build (reflection, and picocli's class
   * files, compiled for Java 5, are verified the old way and cannot go into the class-data archive), so a
   * command line that names its subcommand builds that one alone.
   */
  private static final Map<String, Function<Cli, Object>> SUBCOMMANDS = subcommands();

  private Main() {}

  public static void main(String[] args) {
    // Engine warnings go through java.util.logging: one line each, in the CLI's style, not two lines of
    // timestamp and logger name. Set before anything logs, and only when the user set no format.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "bakare: %4$s: %5$s%6$s%n");
    }
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /**
   * Runs one {@code bakare} command line.
   *
   * @param env the environment, for {@code BAKARE_REPO} and friends
   * @return the exit code: 0 success, 1 failure, 2 usage error, 3 partial backup
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, out, err, env, Terminal.system());
  }

  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, Terminal terminal) {
    Cli cli = new Cli(out, err, env, terminal);
    CommandLine commandLine = new CommandLine(cli);
    @Nullable String named = subcommandNamed(commandLine.getCommandSpec(), args);
    SUBCOMMANDS.forEach((name, subcommand) -> {
      if (named == null || named.equals(name)) {
        commandLine.addSubcommand(name, subcommand.apply(cli));
      }
    });
    commandLine.getCommandSpec().version("bakare " + version());
    PrintWriter outWriter = new PrintWriter(out, true);
    PrintWriter errWriter = new PrintWriter(err, true);
    commandLine.setOut(outWriter);
    commandLine.setErr(errWriter);
    commandLine.setParameterExceptionHandler((e, arguments) -> usageError(err, e.getCommandLine(), e.getMessage()
        + suggestions(e)));
    commandLine.setExecutionExceptionHandler((e, command, parseResult) -> {
      if (e instanceof CliException failure && failure.exitCode() == USAGE) {
        return usageError(err, command, failure.getMessage());
      }
      err.println("bakare: " + Errors.describe(e));
      if (cli.debug()) {
        e.printStackTrace(err);
      }
      return e instanceof CliException failure ? failure.exitCode() : FAILURE;
    });
    int code = commandLine.execute(args);
    outWriter.flush();
    errWriter.flush();
    out.flush();
    err.flush();
    return code;
  }

  private static Map<String, Function<Cli, Object>> subcommands() {
    Map<String, Function<Cli, Object>> all = new LinkedHashMap<>();
    all.put("init", InitCommand::new);
    all.put("backup", BackupCommand::new);
    all.put("snapshots", SnapshotsCommand::new);
    all.put("ls", LsCommand::new);
    all.put("find", FindCommand::new);
    all.put("restore", RestoreCommand::new);
    all.put("check", CheckCommand::new);
    all.put("forget", ForgetCommand::new);
    all.put("prune", PruneCommand::new);
    all.put("key", cli -> new CommandLine(new KeyCommands()).addSubcommand(new KeyCommands.ExportWrite(cli)));
    all.put("cat", cli -> new CommandLine(new CatCommands()).addSubcommand(new CatCommands.Config(cli)));
    all.put("repair", cli -> new CommandLine(new RepairCommands())
        .addSubcommand(new RepairCommands.Index(cli))
        .addSubcommand(new RepairCommands.Snapshots(cli)));
    return all;
  }

  /**
   * The subcommand {@code args} run: the first argument that is a subcommand's name, skipping the values of
   * the options before it. Null when there is none before an argument that is neither (help, version, a
   * mistyped name): then every subcommand is built, for the usage message and picocli's suggestions.
   */
  static @Nullable String subcommandNamed(CommandSpec root, String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (SUBCOMMANDS.containsKey(arg)) {
        return arg;
      }
      if (arg.equals("--") || !arg.startsWith("-")) {
        return null;
      }
      OptionSpec option = arg.contains("=") ? null : root.findOption(arg);
      if (option != null && option.arity().min() > 0) {
        i++;
      }
    }
    return null;
  }

  /** One line: what is wrong with the command line, and where to read how it goes. */
  private static int usageError(PrintStream err, CommandLine command, String message) {
    err.println("bakare: " + message + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
    return USAGE;
  }

  private static String suggestions(CommandLine.ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> candidates = unmatched.getSuggestions();
      if (!candidates.isEmpty()) {
        return "; did you mean " + String.join(" or ", candidates) + "?";
      }
    }
    return "";
  }

  /** The version Maven built, from a resource it filtered. */
  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "(version unknown: built without Maven's resources)";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "(version unknown)");
    } catch (IOException e) {
      return "(version unknown: " + e.getMessage() + ")";
    }
  }
}
