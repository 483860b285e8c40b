package dev.bakare.internal.find;

/**
 * Scores a term against a path the way fzf's "v2" algorithm scores a line, tuned for paths: a
 * Smith-Waterman-like dynamic program over the window where the term can match, in which each matched
 * character earns {@link #SCORE_MATCH} plus a bonus for where it stands (the start of a path segment, of a
 * word, of a camelCase hump or a number), consecutive characters keep the bonus of the chunk they
 * continue, gaps cost {@link #GAP_START} then {@link #GAP_EXTENSION} per skipped character, the first
 * character's bonus counts double, and every character matched inside the file name (the last segment)
 * earns {@link #BONUS_FILE_NAME} more, so a match in the name outranks the same match in a directory.
 * One addition for paths: a term that occurs exactly as whole segments ({@code tax} in {@code /docs/tax/},
 * {@code docs/tax} too, {@code README.md} as a file name) earns {@link #BONUS_WHOLE_SEGMENT}, because people
 * who type directory names type them whole: {@code docs/tax 2023} should find {@code docs/tax/2023/...}
 * before {@code docs/taxi receipts 2023.pdf}.
 *
 * <p>Written here rather than taken from a fuzzy-matching library because paths need their own bonuses
 * (segment starts, the file name), the search scores millions of paths and must not allocate per path,
 * and the algorithm is small. Not thread-safe: it keeps its matrices between calls.
 */
final class FuzzyScorer {
  static final int NO_MATCH = -1;

  static final int SCORE_MATCH = 16;
  static final int GAP_START = -3;
  static final int GAP_EXTENSION = -1;
  /** A character right after {@code /}. */
  static final int BONUS_SEGMENT = 9;
  /** A word character after a space, {@code _}, {@code -}, {@code .} or other punctuation. */
  static final int BONUS_BOUNDARY = 8;
  /** A punctuation character itself (it usually separates words). */
  static final int BONUS_NON_WORD = 8;
  /** An upper-case letter after a lower-case one, or a digit after a non-digit. */
  static final int BONUS_CAMEL_DIGIT = 7;
  /** The least a character continuing a consecutive chunk earns: what a gap of one would have cost. */
  static final int BONUS_CONSECUTIVE = -(GAP_START + GAP_EXTENSION);
  static final int FIRST_CHAR_MULTIPLIER = 2;
  static final int BONUS_FILE_NAME = 4;
  static final int BONUS_WHOLE_SEGMENT = 16;

  /** Beyond this many matrix cells (a very long path), the greedy scorer is used instead. */
  private static final int MAX_CELLS = 1 << 20;

  private static final int SEPARATOR = 0;
  private static final int WHITE = 1;
  private static final int NON_WORD = 2;
  private static final int LOWER = 3;
  private static final int UPPER = 4;
  private static final int LETTER = 5;
  private static final int DIGIT = 6;
  private static final int[][] BONUS = new int[7][7];

  static {
    for (int previous = 0; previous < 7; previous++) {
      for (int current = 0; current < 7; current++) {
        BONUS[previous][current] = bonus(previous, current);
      }
    }
  }

  private int[] first = new int[16];
  private int[] bonus = new int[256];
  private int[] scores = new int[4096];
  private int[] runs = new int[4096];

  private static int bonus(int previous, int current) {
    boolean word = current >= LOWER;
    if (word && previous == SEPARATOR) {
      return BONUS_SEGMENT;
    }
    if (word && (previous == WHITE || previous == NON_WORD)) {
      return BONUS_BOUNDARY;
    }
    if (previous == LOWER && current == UPPER || previous != DIGIT && current == DIGIT) {
      return BONUS_CAMEL_DIGIT;
    }
    if (!word) {
      return BONUS_NON_WORD;
    }
    return 0;
  }

  private static int classOf(char c) {
    if (c < 128) {
      if (c >= 'a' && c <= 'z') {
        return LOWER;
      }
      if (c >= 'A' && c <= 'Z') {
        return UPPER;
      }
      if (c >= '0' && c <= '9') {
        return DIGIT;
      }
      if (c == '/') {
        return SEPARATOR;
      }
      return c == ' ' || c == '\t' ? WHITE : NON_WORD;
    }
    if (Character.isLowerCase(c)) {
      return LOWER;
    }
    if (Character.isUpperCase(c)) {
      return UPPER;
    }
    if (Character.isLetter(c)) {
      return LETTER;
    }
    if (Character.isDigit(c)) {
      return DIGIT;
    }
    return Character.isWhitespace(c) ? WHITE : NON_WORD;
  }

  /**
   * The score of {@code term} in {@code path[0, length)}, or {@link #NO_MATCH}.
   *
   * @param nameStart where the file name (the last segment) starts in {@code path}
   */
  int score(Term term, char[] path, int length, int nameStart) {
    return switch (term.kind()) {
      case FUZZY -> withSegmentBonus(fuzzy(term, path, length, nameStart), term, path, length);
      case EXACT -> withSegmentBonus(exact(term, path, length, nameStart), term, path, length);
      case NAME_PREFIX -> startsAt(term, path, length, nameStart)
          ? chunkScore(term, path, nameStart, nameStart + term.length(), nameStart) : NO_MATCH;
      case PATH_SUFFIX -> startsAt(term, path, length, length - term.length())
          ? chunkScore(term, path, length - term.length(), length, nameStart) : NO_MATCH;
      case EXCLUDED -> term.indexIn(path, length, 0) < 0 ? 0 : NO_MATCH;
    };
  }

  private static int withSegmentBonus(int score, Term term, char[] path, int length) {
    if (score == NO_MATCH) {
      return score;
    }
    for (int at = term.indexIn(path, length, 0); at >= 0; at = term.indexIn(path, length, at + 1)) {
      int end = at + term.length();
      if ((at == 0 || path[at - 1] == '/') && (end == length || path[end] == '/')) {
        return score + BONUS_WHOLE_SEGMENT;
      }
    }
    return score;
  }

  private static boolean startsAt(Term term, char[] path, int length, int start) {
    if (start < 0 || start + term.length() > length) {
      return false;
    }
    char[] chars = term.chars();
    for (int k = 0; k < chars.length; k++) {
      if (term.fold(path[start + k]) != chars[k]) {
        return false;
      }
    }
    return true;
  }

  private int exact(Term term, char[] path, int length, int nameStart) {
    int best = NO_MATCH;
    for (int at = term.indexIn(path, length, 0); at >= 0; at = term.indexIn(path, length, at + 1)) {
      best = Math.max(best, chunkScore(term, path, at, at + term.length(), nameStart));
    }
    return best;
  }

  private int fuzzy(Term term, char[] path, int length, int nameStart) {
    char[] p = term.chars();
    int m = p.length;
    if (first.length < m) {
      first = new int[Math.max(m, first.length * 2)];
    }
    // The first place each character can match after the previous one: outside this window no
    // alignment exists, and a failure here rejects the path cheaply.
    int index = 0;
    for (int i = 0; i < m; i++) {
      while (index < length && term.fold(path[index]) != p[i]) {
        index++;
      }
      if (index == length) {
        return NO_MATCH;
      }
      first[i] = index++;
    }
    int last = length - 1;
    while (term.fold(path[last]) != p[m - 1]) {
      last--;
    }
    int start = first[0];
    int width = last - start + 1;
    if ((long) width * m > MAX_CELLS) {
      return greedy(term, path, length, nameStart);
    }
    ensureCapacity(width, m);
    int previousClass = start > 0 ? classOf(path[start - 1]) : SEPARATOR;
    for (int col = 0; col < width; col++) {
      int current = classOf(path[start + col]);
      bonus[col] = BONUS[previousClass][current];
      previousClass = current;
    }

    // Row 0: where the first character matches, a fresh start; elsewhere, the best so far minus gaps.
    int best = 0;
    boolean inGap = false;
    int left = 0;
    for (int col = 0; col < width; col++) {
      int cell;
      if (term.fold(path[start + col]) == p[0]) {
        cell = SCORE_MATCH + bonus[col] * FIRST_CHAR_MULTIPLIER + nameBonus(start + col, nameStart);
        runs[col] = 1;
        inGap = false;
        best = Math.max(best, cell);
      } else {
        cell = Math.max(left + (inGap ? GAP_EXTENSION : GAP_START), 0);
        runs[col] = 0;
        inGap = true;
      }
      scores[col] = cell;
      left = cell;
    }
    if (m == 1) {
      return best;
    }

    best = 0;
    for (int i = 1; i < m; i++) {
      int row = i * width;
      int previousRow = row - width;
      int firstCol = first[i] - start;
      // The cell left of the first possible column: nothing matched yet in this row.
      scores[row + firstCol - 1] = 0;
      runs[row + firstCol - 1] = 0;
      inGap = false;
      char wanted = p[i];
      for (int col = firstCol; col < width; col++) {
        int gapScore = scores[row + col - 1] + (inGap ? GAP_EXTENSION : GAP_START);
        int matchScore = 0;
        int run = 0;
        if (term.fold(path[start + col]) == wanted) {
          matchScore = scores[previousRow + col - 1] + SCORE_MATCH + nameBonus(start + col, nameStart);
          int b = bonus[col];
          run = runs[previousRow + col - 1] + 1;
          if (run > 1) {
            int chunkBonus = bonus[col - run + 1];
            if (b >= BONUS_BOUNDARY && b > chunkBonus) {
              // A stronger boundary inside a run starts a new chunk.
              run = 1;
            } else {
              b = Math.max(b, Math.max(BONUS_CONSECUTIVE, chunkBonus));
            }
          }
          if (matchScore + b < gapScore) {
            matchScore += bonus[col];
            run = 0;
          } else {
            matchScore += b;
          }
        }
        runs[row + col] = run;
        inGap = matchScore < gapScore;
        int cell = Math.max(Math.max(matchScore, gapScore), 0);
        scores[row + col] = cell;
        if (i == m - 1) {
          best = Math.max(best, cell);
        }
      }
    }
    return best;
  }

  private static int nameBonus(int index, int nameStart) {
    return index >= nameStart ? BONUS_FILE_NAME : 0;
  }

  private void ensureCapacity(int width, int m) {
    if (bonus.length < width) {
      bonus = new int[Math.max(width, bonus.length * 2)];
    }
    int cells = width * m;
    if (scores.length < cells) {
      scores = new int[Math.max(cells, scores.length * 2)];
      runs = new int[scores.length];
    }
  }

  /**
   * fzf's "v1" for paths too long for the matrix: the shortest window found by a greedy forward scan
   * and a backward one from its end, scored as one alignment.
   */
  private int greedy(Term term, char[] path, int length, int nameStart) {
    char[] p = term.chars();
    int k = 0;
    int end = -1;
    for (int i = 0; i < length; i++) {
      if (term.fold(path[i]) == p[k] && ++k == p.length) {
        end = i + 1;
        break;
      }
    }
    if (end < 0) {
      return NO_MATCH;
    }
    int begin = end - 1;
    for (int j = p.length - 1; ; begin--) {
      if (term.fold(path[begin]) == p[j] && --j < 0) {
        break;
      }
    }
    return chunkScore(term, path, begin, end, nameStart);
  }

  /** Scores the alignment of the term in {@code path[from, to)} that takes each character at its first chance. */
  private static int chunkScore(Term term, char[] path, int from, int to, int nameStart) {
    char[] p = term.chars();
    int score = 0;
    int k = 0;
    int run = 0;
    int chunkBonus = 0;
    boolean inGap = false;
    int previousClass = from > 0 ? classOf(path[from - 1]) : SEPARATOR;
    for (int i = from; i < to && k < p.length; i++) {
      int current = classOf(path[i]);
      if (term.fold(path[i]) == p[k]) {
        score += SCORE_MATCH + nameBonus(i, nameStart);
        int b = BONUS[previousClass][current];
        if (run == 0) {
          chunkBonus = b;
        } else {
          if (b >= BONUS_BOUNDARY && b > chunkBonus) {
            chunkBonus = b;
          }
          b = Math.max(Math.max(b, chunkBonus), BONUS_CONSECUTIVE);
        }
        score += k == 0 ? b * FIRST_CHAR_MULTIPLIER : b;
        inGap = false;
        run++;
        k++;
      } else {
        score += inGap ? GAP_EXTENSION : GAP_START;
        inGap = true;
        run = 0;
        chunkBonus = 0;
      }
      previousClass = current;
    }
    return Math.max(score, 0);
  }
}
