package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void readsEachUnitAndCombinationsLargestFirst() {
    assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
    assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
    assertEquals(Duration.ofDays(7), Durations.parse("7d"));
    assertEquals(Duration.ofDays(14), Durations.parse("2w"));
    assertEquals(Duration.ofHours(3), Durations.parse("3h"));
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4).plusMillis(5),
        Durations.parse("1d2h3m4s5ms"));
    assertEquals(Duration.ofSeconds(1), Durations.parse(" 1S "), "case and surrounding blanks do not matter");
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertEquals(Duration.ZERO, Durations.parse("0s"));
  }

  @Test
  void rejectsWhatIsNotADurationAndSaysWhatOneLooksLike() {
    for (String bad : new String[] {"", "10", "s", "-5s", "5 s", "1.5h", "10x", "30m1h", "1h1h", "1m30", "h1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("'" + bad + "' is not a duration"), e.getMessage());
      assertTrue(e.getMessage().contains("such as 90s, 10m, 7d or 1h30m"), e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Durations.parse("99999999999999999999d"))
        .getMessage().contains("too long"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Durations.parse("30m1h"))
        .getMessage().contains("largest to the smallest"));
  }

  @Test
  void formatsWhatItReadsBack() {
    for (String text : new String[] {"0s", "500ms", "90s", "1m30s", "1h30m", "7d", "2w", "1w2d3h4m5s6ms"}) {
      Duration d = Durations.parse(text);
      assertEquals(d, Durations.parse(Durations.format(d)), text);
    }
    assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("1h", Durations.format(Duration.ofMinutes(60)));
    assertEquals("0s", Durations.format(Duration.ZERO));
  }
}
