package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void escapesEverythingJsonRequires() {
    String nasty = "quote\" backslash\\ newline\n tab\t cr\r bell\u0007 nul\0 del\u007f slash/ é 😀";
    String json = Json.object().put("s", nasty).toString();
    assertEquals(nasty, JsonParser.object(json).get("s"));
    assertEquals("[\"a\\\"b\\\\c\\n\\u0000\"]", Json.array(List.of("a\"b\\c\n\0")));
  }

  @Test
  void loneSurrogatesBecomeEscapesSoTheOutputIsValidUtf8() {
    String lone = "x\ud800y\udc00z";
    String quoted = Json.array(List.of(lone));
    assertEquals("[\"x\\ud800y\\udc00z\"]", quoted);
    assertEquals(List.of(lone), JsonParser.parse(quoted), "the escapes decode back to the same UTF-16 units");
    assertEquals("[\"\ud83d\ude00\"]", Json.array(List.of("\ud83d\ude00")), "a proper pair stays as it is");
  }

  @Test
  void valuesNestAndKeepTheirOrder() {
    String json = Json.object()
        .put("n", 42L)
        .put("i", 7)
        .put("d", 1.5)
        .put("nan", Double.NaN)
        .put("t", true)
        .put("nothing", null)
        .put("list", List.of("a", 1L, Json.object().put("k", "v")))
        .toString();
    Map<String, Object> parsed = JsonParser.object(json);
    assertEquals(List.of("n", "i", "d", "nan", "t", "nothing", "list"), List.copyOf(parsed.keySet()));
    assertEquals(42L, parsed.get("n"));
    assertEquals(7L, parsed.get("i"));
    assertEquals(1.5, parsed.get("d"));
    assertEquals(JsonParser.NULL, parsed.get("nan"), "JSON has no NaN");
    assertEquals(true, parsed.get("t"));
    assertEquals(JsonParser.NULL, parsed.get("nothing"));
    assertEquals(List.of("a", 1L, Map.of("k", "v")), parsed.get("list"));
    assertEquals("[]", Json.array(List.of()));
  }

  @Test
  void refusesValuesItCannotWrite() {
    assertThrows(IllegalArgumentException.class, () -> Json.object().put("x", Arrays.asList(new Object())).toString());
  }

  @Test
  void theTestParserIsStrict() {
    for (String bad : List.of("", "{", "{\"a\":1,}", "[1 2]", "\"raw\ttab\"", "01", "1.", "nul", "{\"a\":1}x",
        "{\"a\":1,\"a\":2}", "'single'")) {
      assertThrows(IllegalArgumentException.class, () -> JsonParser.parse(bad), bad);
    }
  }
}
