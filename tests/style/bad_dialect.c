/* Fixture for tests/check_style_selftest.sh: every marked line is an
 * offence tests/check_style.sh must report. Never compiled. */
static int helper(int x) { /* STYLE: static function not s_ */
  return x;
}

static int counter;             /* STYLE: static variable neither s_ nor UPPER_CASE */
static void (*const hook)(int); /* STYLE: function pointer neither s_ nor UPPER_CASE */

int f(int x) {
  if (x) /* STYLE: braceless if */
    return 1;
  else /* STYLE: braceless else */
    x++;
  for (int i = 0; i < 3; i++) /* STYLE: braceless for */
    x++;
  while (x > 10) /* STYLE: braceless while */
    x--;
  do /* STYLE: braceless do */
    x++;
  while (x < 5);
  if (x == 2)
    return helper(counter); /* STYLE: braceless if on one line */
  return x;
}
