/**
 * The {@code bakare} command line tool. Storage providers (file system, S3) are found at run time through
 * {@link java.util.ServiceLoader}, so the module does not name them.
 */
module dev.bakare.cli {
  requires dev.bakare;
  requires info.picocli;
  requires static org.jspecify;

  // picocli fills the commands' option fields by reflection.
  opens dev.bakare.cli to info.picocli;
}
