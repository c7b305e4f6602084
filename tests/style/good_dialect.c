/* Fixture for tests/check_style_selftest.sh: the dialect as it should be,
 * which tests/check_style.sh must pass. Never compiled. */
static const char *const s_words[] = {"if", "else", "while (x)"};
static const int TABLE_SIZE = 3;
static const struct {
  const char *code;
  int weight;
} s_rows[] = {{"a", 1}};
static void (*s_hook)(int);
static long long (*_Atomic s_clock)(void);

static int s_helper(int x) {
  static int calls; /* function-local statics keep their own names */
  calls++;
  return x + calls;
}

int g(int x) {
  /* if (x) return; in a comment is not code */
  if (x) {
    return 1;
  } else if (x > 2) {
    x++;
  } else {
    x--;
  }
  do {
    x++;
  } while (x < 5);
  for (;;) {
    break;
  }
  return s_helper(x) + TABLE_SIZE + (int)sizeof s_words + s_rows[0].weight + (s_hook != 0) +
         (s_clock != 0);
}
