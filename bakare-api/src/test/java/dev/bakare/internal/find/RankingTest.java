package dev.bakare.internal.find;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Ranks a fixed corpus of realistic paths (a home directory with documents, photos, code, downloads and
 * thousands of camera files) the way the search does, and checks the top results for the queries people
 * type: names remembered with typos and missing letters, in the wrong case, with path segments.
 */
class RankingTest {
  private static final List<String> CORPUS = corpus();

  private static List<String> corpus() {
    List<String> paths = new ArrayList<>(List.of(
        "/home/ana/Documents/Finance/Quarterly Report 2023.xlsx",
        "/home/ana/Documents/Finance/Quarterly Report 2022.xlsx",
        "/home/ana/Documents/Finance/Quarterly Report 2023 draft.docx",
        "/home/ana/Documents/Finance/quarter-summary-2023.pdf",
        "/home/ana/Documents/Finance/Annual Report 2023.pdf",
        "/home/ana/Documents/Finance/Q3 2023 report notes.txt",
        "/home/ana/Documents/Work/Reports/2023/quarterly/overview.pptx",
        "/home/ana/Documents/Work/Reports/2023/quarterly/appendix.xlsx",
        "/home/ana/Documents/Work/port-forwarding.md",
        "/home/ana/Documents/docs/tax/2023/return.pdf",
        "/home/ana/Documents/docs/tax/2023/receipts.zip",
        "/home/ana/Documents/docs/tax/2022/return.pdf",
        "/home/ana/Documents/docs/taxi receipts 2023.pdf",
        "/home/ana/Documents/docs/travel/2023/tickets.pdf",
        "/home/ana/Documents/docs/passport scan.jpg",
        "/home/ana/docs-archive/old/taxonomy 2023.txt",
        "/home/ana/Documents/Letters/landlord 2023-04.odt",
        "/home/ana/Documents/CV/Ana_Silva_CV_2023.pdf",
        "/home/ana/Documents/CV/Ana_Silva_CV_2021.pdf",
        "/home/ana/Downloads/invoice-2023-117.pdf",
        "/home/ana/Downloads/ubuntu-22.04.3-desktop-amd64.iso",
        "/home/ana/Downloads/report_final_FINAL(2).docx",
        "/home/ana/Music/Radiohead/OK Computer/03 Subterranean Homesick Alien.flac",
        "/home/ana/Music/Radiohead/Kid A/01 Everything In Its Right Place.flac",
        "/home/ana/src/bakare/bakare-api/src/main/java/dev/bakare/Repository.java",
        "/home/ana/src/bakare/bakare-api/src/main/java/dev/bakare/RepositoryOptions.java",
        "/home/ana/src/bakare/bakare-api/src/main/java/dev/bakare/internal/repo/Engine.java",
        "/home/ana/src/bakare/bakare-api/src/test/java/dev/bakare/RepositoryTest.java",
        "/home/ana/src/bakare/README.md",
        "/home/ana/src/website/node_modules/react/README.md",
        "/home/ana/src/website/src/components/ReportTable.tsx",
        "/home/ana/.config/bakare/keys/3f2a.key",
        "/home/ana/.bashrc",
        "/home/ana/Pictures/Wallpapers/mountain lake.png",
        "/home/ana/Pictures/Screenshots/Screenshot from 2023-10-02 11-42-07.png"));
    // Thousands of camera files, as a phone's DCIM folders hold them, with a few edited copies.
    for (int year = 2021; year <= 2023; year++) {
      for (int i = 0; i < 1500; i++) {
        paths.add(String.format(Locale.ROOT, "/home/ana/Pictures/Camera/%d/IMG_%04d.JPG", year, (year - 2021) * 1500 + i));
      }
    }
    for (int i = 0; i < 10_000; i += 7) {
      paths.add(String.format(Locale.ROOT, "/home/ana/Pictures/Phone/DCIM/100ANDRO/IMG_%04d.jpg", i));
    }
    paths.add("/home/ana/Pictures/Edited/IMG_2041 edited.jpg");
    return List.copyOf(paths);
  }

  /** The corpus ranked for {@code pattern} as the search ranks it: score, then shorter path, then path. */
  private static List<String> rank(PathMatcher matcher) {
    record Scored(String path, int score) {}
    List<Scored> scored = new ArrayList<>();
    for (String path : CORPUS) {
      int score = evaluate(matcher, path);
      if (score != PathMatcher.NO_MATCH) {
        scored.add(new Scored(path, score));
      }
    }
    scored.sort(Comparator.comparingInt((Scored s) -> -s.score())
        .thenComparingInt(s -> s.path().length())
        .thenComparing(Scored::path));
    return scored.stream().map(Scored::path).toList();
  }

  /**
   * Scores a path as the search does: directory states segment by segment from the root, the name's
   * state, the cheap test on both, and only then the full score.
   */
  static int evaluate(PathMatcher matcher, String path) {
    int size = matcher.stateSize();
    int[] dirStates = new int[2 * size];
    matcher.rootState(dirStates, 0);
    String[] segments = path.substring(1).split("/", -1);
    for (int i = 0; i < segments.length - 1; i++) {
      char[] name = segments[i].toCharArray();
      matcher.childState(dirStates, (i % 2) * size, ((i + 1) % 2) * size, name, 0, name.length);
    }
    int dirAt = ((segments.length - 1) % 2) * size;
    char[] name = segments[segments.length - 1].toCharArray();
    int[] nameStates = new int[size];
    matcher.nameState(name, 0, name.length, nameStates, 0);
    if (!matcher.mayMatch(dirStates, dirAt, nameStates, 0)) {
      return PathMatcher.NO_MATCH;
    }
    char[] chars = path.toCharArray();
    return matcher.score(chars, chars.length, path.lastIndexOf('/') + 1);
  }

  private static List<String> top(String pattern, int n) {
    List<String> ranked = rank(PathMatcher.fuzzy(pattern));
    return ranked.subList(0, Math.min(n, ranked.size()));
  }

  @Test
  void typosAndMissingLettersFindTheReport() {
    List<String> top = top("quartr rport 2023", 3);
    assertEquals("/home/ana/Documents/Finance/Quarterly Report 2023.xlsx", top.get(0), () -> "top: " + top);
    assertEquals("/home/ana/Documents/Finance/Quarterly Report 2023 draft.docx", top.get(1), () -> "top: " + top);
  }

  @Test
  void lowerCaseQueryMatchesMixedCaseNames() {
    assertEquals("/home/ana/Documents/Finance/Quarterly Report 2023.xlsx", top("quarterly report 2023", 1).get(0));
    assertEquals("/home/ana/Documents/CV/Ana_Silva_CV_2023.pdf", top("ana silva cv 2023", 1).get(0));
  }

  @Test
  void upperCaseInTheQueryMakesItCaseSensitive() {
    List<String> ranked = rank(PathMatcher.fuzzy("FINAL"));
    assertEquals(List.of("/home/ana/Downloads/report_final_FINAL(2).docx"), ranked);
    assertTrue(rank(PathMatcher.fuzzy("Repository.java")).stream().allMatch(p -> p.contains("Repository")));
  }

  @Test
  void pathSegmentsSelectTheDirectory() {
    List<String> top = top("docs/tax 2023", 2);
    assertEquals(List.of("/home/ana/Documents/docs/tax/2023/receipts.zip", "/home/ana/Documents/docs/tax/2023/return.pdf"),
        top.stream().sorted().toList(), () -> "top: " + top);
  }

  @Test
  void oneCameraFileAmongThousands() {
    List<String> top = top("IMG_204", 12);
    // Every name holding the run "IMG_204" (ten camera files, one phone file, the edited copy) ranks
    // ahead of the thousands where the digits are scattered (IMG_1204, IMG_2304).
    List<String> expected = new ArrayList<>();
    for (int i = 2040; i <= 2049; i++) {
      if (i % 7 == 0) {
        expected.add(String.format(Locale.ROOT, "/home/ana/Pictures/Phone/DCIM/100ANDRO/IMG_%04d.jpg", i));
      }
      expected.add(String.format(Locale.ROOT, "/home/ana/Pictures/Camera/2022/IMG_%04d.JPG", i));
    }
    expected.add("/home/ana/Pictures/Edited/IMG_2041 edited.jpg");
    assertEquals(expected.stream().sorted().toList(), top.subList(0, expected.size()).stream().sorted().toList(),
        () -> "top: " + top);
  }

  @Test
  void fileNameOutranksTheSameMatchInADirectory() {
    List<String> top = top("report", 3);
    assertFalse(top.get(0).contains("/Reports/"), () -> "top: " + top);
    assertTrue(top.get(0).substring(top.get(0).lastIndexOf('/')).toLowerCase(Locale.ROOT).contains("report"));
  }

  @Test
  void camelCaseHumpsAndWordStarts() {
    assertEquals("/home/ana/src/bakare/bakare-api/src/main/java/dev/bakare/RepositoryOptions.java",
        top("repopt", 1).get(0));
    assertEquals("/home/ana/src/website/src/components/ReportTable.tsx", top("rtable", 1).get(0));
  }

  @Test
  void everyTermMustMatch() {
    assertTrue(rank(PathMatcher.fuzzy("quarterly 1999")).isEmpty());
    assertTrue(rank(PathMatcher.fuzzy("zzzz")).isEmpty());
  }

  @Test
  void extendedSearchOperators() {
    assertEquals(List.of("/home/ana/Documents/CV/Ana_Silva_CV_2021.pdf", "/home/ana/Documents/CV/Ana_Silva_CV_2023.pdf"),
        rank(PathMatcher.fuzzy("'silva_cv")).stream().sorted().toList());
    assertTrue(rank(PathMatcher.fuzzy("report !2023")).stream().noneMatch(p -> p.contains("2023")));
    assertTrue(rank(PathMatcher.fuzzy("report !2023")).contains("/home/ana/Documents/Finance/Quarterly Report 2022.xlsx"));
    assertEquals(List.of("/home/ana/Documents/docs/tax/2023/receipts.zip"), rank(PathMatcher.fuzzy("receipts .zip$")));
    assertEquals(List.of("/home/ana/Documents/docs/taxi receipts 2023.pdf"), rank(PathMatcher.fuzzy("^taxi")));
  }

  @Test
  void globsMatchNamesOrPaths() {
    assertEquals(List.of("/home/ana/Documents/Finance/Quarterly Report 2022.xlsx",
            "/home/ana/Documents/Finance/Quarterly Report 2023.xlsx"),
        rank(PathMatcher.glob("quarterly*.xlsx")).stream().sorted().toList());
    assertEquals(List.of("/home/ana/Documents/docs/tax/2022/return.pdf", "/home/ana/Documents/docs/tax/2023/return.pdf"),
        rank(PathMatcher.glob("tax/*/*.pdf")).stream().sorted().toList());
    assertEquals(3, rank(PathMatcher.glob("/home/ana/src/**/Repository*.java")).size());
    assertEquals(1500 * 3, rank(PathMatcher.glob("IMG_[0-9][0-9][0-9][0-9].JPG")).size());
  }

  @Test
  void regularExpressionsMatchNamesOrPaths() {
    assertEquals(List.of("/home/ana/Downloads/invoice-2023-117.pdf"), rank(PathMatcher.regex("^invoice-\\d+-\\d+\\.pdf$")));
    assertEquals(2, rank(PathMatcher.regex("/tax/\\d{4}/return")).size());
  }

  @Test
  void theCheapTestNeverRejectsAMatch() {
    List<String> patterns = List.of("quartr rport 2023", "docs/tax 2023", "IMG_204", "ana/doc", "e", "s/r", "/home",
        "'report !2022", "^IMG .jpg$", "home/ana/documents/finance/quarterly", "zz");
    for (String pattern : patterns) {
      PathMatcher matcher = PathMatcher.fuzzy(pattern);
      for (String path : CORPUS) {
        char[] chars = path.toCharArray();
        int full = matcher.score(chars, chars.length, path.lastIndexOf('/') + 1);
        assertEquals(full, evaluate(matcher, path), () -> pattern + " on " + path);
      }
    }
  }
}
