package dev.bakare.internal.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Trees sort entries by their names' UTF-8 bytes; the comparator must agree with encoding, name for name. */
class TreeNameOrderProperties {
  @Property(tries = 5000)
  void ordersAsTheUtf8BytesDo(@ForAll("names") String a, @ForAll("names") String b) {
    int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, Integer.signum(Tree.NAME_ORDER.compare(a, b)), () -> escape(a) + " vs " + escape(b));
  }

  @Property(tries = 2000)
  void sharedPrefixesDoNotChangeTheOrder(@ForAll("names") String prefix, @ForAll("names") String a,
      @ForAll("names") String b) {
    ordersAsTheUtf8BytesDo(prefix + a, prefix + b);
  }

  /**
   * Names drawn from ASCII, Latin-1, the characters just below and above the surrogates (where UTF-16
   * order and code point order part), supplementary characters, and unpaired surrogates.
   */
  @Provide
  Arbitrary<String> names() {
    Arbitrary<Character> chars = Arbitraries.oneOf(
        Arbitraries.chars().range('a', 'e'),
        Arbitraries.chars().range('\u00e0', '\u00e2'),
        Arbitraries.chars().range('\ud7fe', '\ud7ff'),
        Arbitraries.chars().range('\ue000', '\ue001'),
        Arbitraries.chars().range('\ufffe', '\uffff'),
        Arbitraries.chars().range('\ud800', '\ud801'),
        Arbitraries.chars().range('\udc00', '\udc01'));
    Arbitrary<String> pieces = Arbitraries.oneOf(chars.map(String::valueOf),
        Arbitraries.of("\ud83d\ude00", "\ud800\udc00", "\udbff\udfff"));
    return pieces.list().ofMaxSize(4).map(list -> String.join("", list));
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    s.chars().forEach(c -> out.append(c < 0x80 ? String.valueOf((char) c) : String.format("\\u%04x", c)));
    return out.toString();
  }
}
