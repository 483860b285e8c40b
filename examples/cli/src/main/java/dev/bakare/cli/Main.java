package dev.bakare.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;

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
    CommandLine commandLine = new CommandLine(cli)
        .addSubcommand(new InitCommand(cli))
        .addSubcommand(new BackupCommand(cli))
        .addSubcommand(new SnapshotsCommand(cli))
        .addSubcommand(new LsCommand(cli))
        .addSubcommand(new RestoreCommand(cli))
        .addSubcommand(new CheckCommand(cli))
        .addSubcommand(new ForgetCommand(cli))
        .addSubcommand(new PruneCommand(cli))
        .addSubcommand(new CommandLine(new KeyCommands()).addSubcommand(new KeyCommands.ExportWrite(cli)))
        .addSubcommand(new CommandLine(new CatCommands()).addSubcommand(new CatCommands.Config(cli)))
        .addSubcommand(new CommandLine(new RepairCommands())
            .addSubcommand(new RepairCommands.Index(cli))
            .addSubcommand(new RepairCommands.Snapshots(cli)));
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
