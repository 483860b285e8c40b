/** A small program that embeds bakare as a library. */
module dev.bakare.examples.embedding {
  requires dev.bakare;
  requires static org.jspecify;

  exports dev.bakare.examples.embedding;
}
