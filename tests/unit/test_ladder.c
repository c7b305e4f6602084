/* test_ladder: the escalation ladder (broker/ladder.h).
 *
 * The default ladder as a table of (state, now) -> (actions, state, next);
 * idempotence of every row; a restart after an outage firing what fell due
 * once; a closed item firing nothing; daily repeats, once per call however
 * many were missed; a simulated loop that always sleeps until next_ms; the
 * configuration syntax, its round trip and its errors.
 * Must not: touch the network, the disk or the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"

#define UNIT_TESTING 1
#include <cmocka.h>

#define MIN_MS (60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define T0 1700000000000LL   /* window start */
#define WINDOW (4 * HOUR_MS) /* red: 4 hours round the clock */
#define NEVER MASH_LADDER_NEVER

/* A fake deadline module: a window of `window` ms from `start`, linear. */
typedef struct window {
  int64_t start, window;
} window_t;

static int64_t at_permille(void *ctx, int permille) {
  const window_t *w = ctx;
  return w->start + w->window * permille / 1000;
}

static window_t s_red = {T0, WINDOW};

/* ---------------------------------------------------------------- the default ladder */

static void test_default_ladder_shape(void **state) {
  (void)state;
  const mash_ladder_t *l = mash_ladder_default();
  char err[256] = "";
  assert_int_equal(mash_ladder_check(l, err, sizeof err), 0);
  assert_int_equal(l->n_steps, 4);

  assert_string_equal(l->steps[0].name, "reminder");
  assert_int_equal(l->steps[0].permille, 750);
  assert_int_equal(l->steps[0].n_parties, 1);
  assert_string_equal(l->steps[0].parties[0], "agency");

  assert_string_equal(l->steps[1].name, "overdue");
  assert_int_equal(l->steps[1].permille, 1000);
  assert_int_equal(l->steps[1].n_parties, 2);
  assert_string_equal(l->steps[1].parties[0], "agency_duty_lead");
  assert_string_equal(l->steps[1].parties[1], "hub_team_manager");

  assert_string_equal(l->steps[2].name, "head_of_service");
  assert_int_equal(l->steps[2].permille, 1500);
  assert_string_equal(l->steps[2].parties[0], "head_of_service");
  assert_int_equal(l->steps[2].flags, MASH_LADDER_ISSUE_PARTIAL_PACK);
  assert_int_equal(l->steps[2].repeat_ms, 0);

  assert_string_equal(l->steps[3].name, "strategic_lead");
  assert_int_equal(l->steps[3].permille, 1500);
  assert_int_equal(l->steps[3].offset_ms, DAY_MS);
  assert_string_equal(l->steps[3].parties[0], "strategic_lead");
  assert_int_equal(l->steps[3].flags, 0);
  assert_int_equal(l->steps[3].repeat_ms, DAY_MS);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(l->steps[i].level, i + 1);
    assert_int_equal(l->steps[i].offset_ms, 0);
  }
}

/* Instants of the default ladder on the red window. */
#define AT75 (T0 + 3 * HOUR_MS)
#define AT100 (T0 + 4 * HOUR_MS)
#define AT150 (T0 + 6 * HOUR_MS)
#define AT4 (AT150 + DAY_MS) /* strategic lead, then daily */

typedef struct row {
  const char *name;
  unsigned level; /* stored state */
  int64_t fired_at;
  bool closed;
  int64_t now;
  /* expected */
  size_t n;        /* actions */
  unsigned lv[4];  /* their levels */
  unsigned rep[4]; /* their repeat numbers */
  int64_t due[4];  /* their scheduled instants */
  unsigned level_out;
  bool fired; /* state.fired_at_ms becomes now */
  int64_t next;
} row_t;

static const row_t s_rows[] = {
    {"new item at the window start", 0, 0, false, T0, 0, {0}, {0}, {0}, 0, false, AT75},
    {"1 ms before 75%", 0, 0, false, AT75 - 1, 0, {0}, {0}, {0}, 0, false, AT75},
    {"75%: reminder", 0, 0, false, AT75, 1, {1}, {0}, {AT75}, 1, true, AT100},
    {"reminder sent, same instant", 1, AT75, false, AT75, 0, {0}, {0}, {0}, 1, false, AT100},
    {"reminder sent, 1 ms before due",
     1,
     AT75,
     false,
     AT100 - 1,
     0,
     {0},
     {0},
     {0},
     1,
     false,
     AT100},
    {"deadline: overdue", 1, AT75, false, AT100, 1, {2}, {0}, {AT100}, 2, true, AT150},
    {"150%: head of service", 2, AT100, false, AT150, 1, {3}, {0}, {AT150}, 3, true, AT4},
    {"150% + 1 d: strategic lead", 3, AT150, false, AT4, 1, {4}, {0}, {AT4}, 4, true, AT4 + DAY_MS},
    {"strategic lead sent, an hour later",
     4,
     AT4,
     false,
     AT4 + HOUR_MS,
     0,
     {0},
     {0},
     {0},
     4,
     false,
     AT4 + DAY_MS},
    {"a day later: repeat 1",
     4,
     AT4,
     false,
     AT4 + DAY_MS,
     1,
     {4},
     {1},
     {AT4 + DAY_MS},
     4,
     true,
     AT4 + 2 * DAY_MS},
    {"repeat 1 sent late, same day",
     4,
     AT4 + DAY_MS + 5 * MIN_MS,
     false,
     AT4 + DAY_MS + 6 * MIN_MS,
     0,
     {0},
     {0},
     {0},
     4,
     false,
     AT4 + 2 * DAY_MS},
    {"down 4 days: one repeat, the latest",
     4,
     AT4,
     false,
     AT4 + 4 * DAY_MS + 3 * HOUR_MS,
     1,
     {4},
     {4},
     {AT4 + 4 * DAY_MS},
     4,
     true,
     AT4 + 5 * DAY_MS},
    {"down across 75% and 100%",
     0,
     0,
     false,
     T0 + 5 * HOUR_MS,
     2,
     {1, 2},
     {0, 0},
     {AT75, AT100},
     2,
     true,
     AT150},
    {"down from 75% to past 150%",
     1,
     AT75,
     false,
     AT150 + 1,
     2,
     {2, 3},
     {0, 0},
     {AT100, AT150},
     3,
     true,
     AT4},
    {"down for 10 days from the start",
     0,
     0,
     false,
     T0 + 10 * DAY_MS,
     4,
     {1, 2, 3, 4},
     {0, 0, 0, 0},
     {AT75, AT100, AT150, AT4},
     4,
     true,
     AT4 + 9 * DAY_MS},
    {"closed before anything", 0, 0, true, AT150, 0, {0}, {0}, {0}, 0, false, NEVER},
    {"closed at overdue, 10 days on",
     2,
     AT100,
     true,
     T0 + 10 * DAY_MS,
     0,
     {0},
     {0},
     {0},
     2,
     false,
     NEVER},
    {"closed at strategic lead", 4, AT4, true, AT4 + 3 * DAY_MS, 0, {0}, {0}, {0}, 4, false, NEVER},
};

static void check_row(const row_t *r) {
  mash_ladder_state_t st = {r->level, r->fired_at, r->closed};
  mash_ladder_result_t out;
  const mash_ladder_t *l = mash_ladder_default();
  mash_ladder_advance(l, &st, at_permille, &s_red, r->now, &out);
  if (out.n_actions != r->n || out.state.level != r->level_out || out.next_ms != r->next)
    fail_msg("%s: %zu actions, level %u, next %lld; want %zu, %u, %lld", r->name, out.n_actions,
             out.state.level, (long long)out.next_ms, r->n, r->level_out, (long long)r->next);
  for (size_t i = 0; i < r->n; i++) {
    const mash_ladder_action_t *a = &out.actions[i];
    if (a->level != r->lv[i] || a->repeat != r->rep[i] || a->due_at_ms != r->due[i] ||
        a->step != &l->steps[r->lv[i] - 1])
      fail_msg("%s: action %zu is level %u repeat %u due %lld", r->name, i, a->level, a->repeat,
               (long long)a->due_at_ms);
  }
  assert_int_equal(out.state.fired_at_ms, r->fired ? r->now : r->fired_at);
  assert_int_equal(out.state.closed, r->closed);
  assert_true(out.next_ms > r->now);

  /* Idempotent: the new state at the same instant fires nothing more. */
  mash_ladder_result_t again;
  mash_ladder_advance(l, &out.state, at_permille, &s_red, r->now, &again);
  if (again.n_actions != 0 || again.next_ms != out.next_ms ||
      memcmp(&again.state, &out.state, sizeof again.state) != 0)
    fail_msg("%s: not idempotent (%zu more actions)", r->name, again.n_actions);
}

static void test_default_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof s_rows / sizeof s_rows[0]; i++)
    check_row(&s_rows[i]);
}

static void test_partial_pack_only_at_level_3(void **state) {
  (void)state;
  mash_ladder_state_t st = {0, 0, false};
  mash_ladder_result_t out;
  mash_ladder_advance(mash_ladder_default(), &st, at_permille, &s_red, T0 + 30 * DAY_MS, &out);
  assert_int_equal(out.n_actions, 4);
  for (size_t i = 0; i < out.n_actions; i++)
    assert_int_equal((out.actions[i].step->flags & MASH_LADDER_ISSUE_PARTIAL_PACK) != 0,
                     out.actions[i].level == 3);
}

/* A loop that sleeps until next_ms each time, as the broker's one timer does:
 * every step fires once, in order, exactly at its instant, then daily. */
static void test_loop_follows_next(void **state) {
  (void)state;
  const mash_ladder_t *l = mash_ladder_default();
  mash_ladder_state_t st = {0, 0, false};
  int64_t now = T0;
  unsigned levels[16];
  int64_t when[16];
  size_t n = 0;
  while (now <= T0 + 5 * DAY_MS) {
    mash_ladder_result_t out;
    mash_ladder_advance(l, &st, at_permille, &s_red, now, &out);
    assert_true(out.n_actions <= 1);
    for (size_t i = 0; i < out.n_actions; i++) {
      assert_true(n < 16);
      assert_int_equal(out.actions[i].due_at_ms, now);
      levels[n] = out.actions[i].level;
      when[n++] = now;
    }
    assert_true(out.next_ms > now);
    st = out.state;
    now = out.next_ms;
  }
  static const unsigned want_levels[] = {1, 2, 3, 4, 4, 4, 4};
  static const int64_t want_when[] = {
      AT75, AT100, AT150, AT4, AT4 + DAY_MS, AT4 + 2 * DAY_MS, AT4 + 3 * DAY_MS};
  assert_int_equal(n, 7);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(levels[i], want_levels[i]);
    assert_int_equal(when[i], want_when[i]);
  }
}

/* Calls at arbitrary (increasing) instants, with outages: each level fires
 * exactly once and in order; each daily repeat at most once, in order; at
 * most one repeat per call; nothing fires before it is due; and the
 * repeats reach the latest one due. */
static void test_random_outages(void **state) {
  (void)state;
  const mash_ladder_t *l = mash_ladder_default();
  unsigned seed = 12345;
  for (int run = 0; run < 200; run++) {
    mash_ladder_state_t st = {0, 0, false};
    int64_t now = T0;
    unsigned fired[5] = {0};
    long long last_repeat = -1;
    while (now < T0 + 8 * DAY_MS) {
      seed = seed * 1103515245u + 12345u;
      /* Steps from a minute to two and a half days. */
      now += MIN_MS + (int64_t)((seed >> 8) % (60 * 60)) * MIN_MS;
      mash_ladder_result_t out;
      mash_ladder_advance(l, &st, at_permille, &s_red, now, &out);
      unsigned repeats = 0;
      unsigned prev_level = st.level;
      for (size_t i = 0; i < out.n_actions; i++) {
        const mash_ladder_action_t *a = &out.actions[i];
        assert_true(a->due_at_ms <= now);
        assert_true(a->level >= 1 && a->level <= 4);
        if (a->repeat == 0) {
          assert_int_equal(a->level, prev_level + 1);
          prev_level = a->level;
          fired[a->level]++;
          if (a->level == 4)
            last_repeat = (long long)((now - AT4) / DAY_MS);
        } else {
          assert_int_equal(a->level, 4);
          assert_true((long long)a->repeat > last_repeat);
          assert_int_equal(a->due_at_ms, AT4 + (int64_t)a->repeat * DAY_MS);
          last_repeat = a->repeat;
          repeats++;
        }
      }
      assert_true(repeats <= 1);
      if (now >= AT4)
        assert_int_equal(last_repeat, (now - AT4) / DAY_MS);
      st = out.state;
    }
    for (unsigned lv = 1; lv <= 4; lv++)
      assert_int_equal(fired[lv], 1);
  }
}

/* The item's window comes from the caller: a longer window moves every step. */
static void test_window_from_callback(void **state) {
  (void)state;
  window_t amber = {T0, 3 * DAY_MS}; /* pretend 24 working hours = 3 calendar days */
  mash_ladder_state_t st = {0, 0, false};
  mash_ladder_result_t out;
  mash_ladder_advance(mash_ladder_default(), &st, at_permille, &amber, T0, &out);
  assert_int_equal(out.n_actions, 0);
  assert_int_equal(out.next_ms, T0 + 3 * DAY_MS * 3 / 4);
  mash_ladder_advance(mash_ladder_default(), &st, at_permille, &amber, T0 + 5 * DAY_MS, &out);
  assert_int_equal(out.n_actions, 3); /* 75%, 100%, 150% = 4.5 d */
  assert_int_equal(out.next_ms, T0 + 4 * DAY_MS + 12 * HOUR_MS + DAY_MS);
}

/* A custom ladder whose last step does not repeat: after it, never. */
static void test_ladder_without_repeat_ends(void **state) {
  (void)state;
  mash_ladder_t l;
  char err[256] = "";
  assert_int_equal(
      mash_ladder_parse(&l, "1 late 1000 agency\n2 later 2000 hub_team_manager\n", err, sizeof err),
      0);
  mash_ladder_state_t st = {0, 0, false};
  mash_ladder_result_t out;
  mash_ladder_advance(&l, &st, at_permille, &s_red, T0 + 100 * DAY_MS, &out);
  assert_int_equal(out.n_actions, 2);
  assert_int_equal(out.state.level, 2);
  assert_int_equal(out.next_ms, NEVER);
  mash_ladder_advance(&l, &out.state, at_permille, &s_red, T0 + 200 * DAY_MS, &out);
  assert_int_equal(out.n_actions, 0);
  assert_int_equal(out.next_ms, NEVER);
}

/* Negative offsets: an hour before the deadline; and a step whose instant
 * precedes its lower step waits for it. */
static void test_offsets(void **state) {
  (void)state;
  mash_ladder_t l;
  char err[256] = "";
  assert_int_equal(mash_ladder_parse(&l,
                                     "1 soon 1000-1h agency\n"
                                     "2 odd 1000-2h hub_team_manager\n",
                                     err, sizeof err),
                   0);
  assert_int_equal(l.steps[0].offset_ms, -HOUR_MS);
  mash_ladder_state_t st = {0, 0, false};
  mash_ladder_result_t out;
  mash_ladder_advance(&l, &st, at_permille, &s_red, AT100 - 90 * MIN_MS, &out);
  assert_int_equal(out.n_actions, 0); /* level 2's instant has passed, level 1's has not */
  assert_int_equal(out.next_ms, AT100 - HOUR_MS);
  mash_ladder_advance(&l, &st, at_permille, &s_red, AT100 - HOUR_MS, &out);
  assert_int_equal(out.n_actions, 2);
  assert_int_equal(out.actions[1].due_at_ms, AT100 - 2 * HOUR_MS);
}

/* A callback answering "never" (no deadline): nothing fires, never called. */
static int64_t at_never(void *ctx, int permille) {
  (void)ctx;
  (void)permille;
  return NEVER;
}

static void test_no_deadline(void **state) {
  (void)state;
  mash_ladder_state_t st = {0, 0, false};
  mash_ladder_result_t out;
  mash_ladder_advance(mash_ladder_default(), &st, at_never, NULL, T0, &out);
  assert_int_equal(out.n_actions, 0);
  assert_int_equal(out.next_ms, NEVER);
  st.level = 4;
  st.fired_at_ms = T0;
  mash_ladder_advance(mash_ladder_default(), &st, at_never, NULL, T0 + DAY_MS, &out);
  assert_int_equal(out.n_actions, 0);
  assert_int_equal(out.next_ms, NEVER);
}

/* ---------------------------------------------------------------- configuration */

static void assert_ladders_equal(const mash_ladder_t *a, const mash_ladder_t *b) {
  assert_int_equal(a->n_steps, b->n_steps);
  for (size_t i = 0; i < a->n_steps; i++) {
    const mash_ladder_step_t *x = &a->steps[i], *y = &b->steps[i];
    assert_int_equal(x->level, y->level);
    assert_string_equal(x->name, y->name);
    assert_int_equal(x->permille, y->permille);
    assert_int_equal(x->offset_ms, y->offset_ms);
    assert_int_equal(x->n_parties, y->n_parties);
    for (size_t p = 0; p < x->n_parties; p++)
      assert_string_equal(x->parties[p], y->parties[p]);
    assert_int_equal(x->flags, y->flags);
    assert_int_equal(x->repeat_ms, y->repeat_ms);
  }
}

static const char DEFAULT_TEXT[] =
    "# DESIGN.md section 4\n"
    "1 reminder        750      agency\n"
    "2 overdue         1000     agency_duty_lead,hub_team_manager\n"
    "\n"
    "   ; head of service gets the pack\n"
    "3 head_of_service 1500     head_of_service  pack   # missing answers marked\n"
    "4 strategic_lead  1500+1d  strategic_lead   repeat=24h\n";

static void test_parse_default_text(void **state) {
  (void)state;
  mash_ladder_t l;
  char err[256] = "";
  int rc = mash_ladder_parse(&l, DEFAULT_TEXT, err, sizeof err);
  if (rc != 0)
    fail_msg("%s", err);
  assert_ladders_equal(&l, mash_ladder_default());
}

static void test_format_round_trip(void **state) {
  (void)state;
  char buf[1024];
  int n = mash_ladder_format(mash_ladder_default(), buf, sizeof buf);
  assert_true(n > 0 && (size_t)n < sizeof buf);
  assert_string_equal(buf, "1 reminder 750 agency\n"
                           "2 overdue 1000 agency_duty_lead,hub_team_manager\n"
                           "3 head_of_service 1500 head_of_service pack\n"
                           "4 strategic_lead 1500+1d strategic_lead repeat=1d\n");
  mash_ladder_t l;
  char err[256] = "";
  assert_int_equal(mash_ladder_parse(&l, buf, err, sizeof err), 0);
  assert_ladders_equal(&l, mash_ladder_default());

  /* Odd units and a negative offset survive too; a short buffer reports the
   * length needed, as snprintf. */
  assert_int_equal(
      mash_ladder_parse(&l, "1 a 0-90s x\n2 b 999+1500ms y,z repeat=90m\n", err, sizeof err), 0);
  n = mash_ladder_format(&l, buf, sizeof buf);
  assert_string_equal(buf, "1 a 0-90s x\n2 b 999+1500ms y,z repeat=90m\n");
  char tiny[8];
  assert_int_equal(mash_ladder_format(&l, tiny, sizeof tiny), n);
  assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

/* The ini form: one "step = ..." key per step, each value through add. */
static void test_add_ini_values(void **state) {
  (void)state;
  mash_ladder_t l;
  char err[256] = "";
  mash_ladder_clear(&l);
  assert_int_equal(mash_ladder_check(&l, err, sizeof err), -1);
  assert_non_null(strstr(err, "no steps"));
  assert_int_equal(mash_ladder_add(&l, "1 reminder 750 agency", err, sizeof err), 0);
  assert_int_equal(
      mash_ladder_add(&l, "2 overdue 1000 agency_duty_lead,hub_team_manager", err, sizeof err), 0);
  assert_int_equal(
      mash_ladder_add(&l, "3 head_of_service 1500 head_of_service pack ; note", err, sizeof err),
      0);
  /* An error leaves the ladder as it was. */
  assert_int_equal(mash_ladder_add(&l, "4 strategic_lead 1400+1d strategic_lead", err, sizeof err),
                   -1);
  assert_non_null(strstr(err, "before level 3"));
  assert_int_equal(l.n_steps, 3);
  assert_int_equal(
      mash_ladder_add(&l, "4 strategic_lead 1500+1d strategic_lead repeat=1d", err, sizeof err), 0);
  assert_int_equal(mash_ladder_check(&l, err, sizeof err), 0);
  assert_ladders_equal(&l, mash_ladder_default());
  /* Nothing may follow a repeating step. */
  assert_int_equal(mash_ladder_add(&l, "5 more 3000 agency", err, sizeof err), -1);
  assert_non_null(strstr(err, "only the last step may repeat"));
  assert_int_equal(l.n_steps, 4);
}

typedef struct bad_case {
  const char *text;
  const char *err; /* a substring of the message */
} bad_case_t;

static const bad_case_t s_bad[] = {
    {"", "no steps"},
    {"# only a comment\n\n", "no steps"},
    {"1 reminder 750", "line 1: too few fields"},
    {"1 a 750 agency pack repeat=1d extra", "line 1: too many fields"},
    {"2 overdue 1000 agency", "line 1: level 2 out of order: expected 1"},
    {"1 a 750 agency\n1 b 800 agency", "line 2: level 1 out of order: expected 2"},
    {"0 a 750 agency", "line 1: bad level \"0\""},
    {"x a 750 agency", "line 1: bad level \"x\""},
    {"-1 a 750 agency", "line 1: bad level"},
    {"1 a:b 750 agency", "line 1: bad step name \"a:b\""},
    {"1 abcdefghijabcdefghijabcdefghij12 750 agency", "bad step name"},
    {"1 a x agency", "line 1: bad permille \"x\""},
    {"1 a 75% agency", "bad permille"},
    {"1 a 100001 agency", "bad permille \"100001\""},
    {"1 a -750 agency", "bad permille"},
    {"1 a 750+ agency", "bad offset \"\""},
    {"1 a 750+1y agency", "bad offset \"1y\""},
    {"1 a 750+367d agency", "bad offset"},
    {"1 a 750+99999999999999999999d agency", "bad offset"},
    {"1 a 750+1d+1h agency", "bad offset"},
    {"1 a 750 Agency", "bad role name \"Agency\""},
    {"1 a 750 9lives", "bad role name"},
    {"1 a 750 agency,,hub", "bad role name \"\""},
    {"1 a 750 agency,", "bad role name \"\""},
    {"1 a 750 agency,agency", "role agency named twice"},
    {"1 a 750 a,b,c,d,e,f,g,h,i", "too many parties"},
    {"1 a 750 agency bogus", "unknown or repeated option \"bogus\""},
    {"1 a 750 agency pack pack", "unknown or repeated option \"pack\""},
    {"1 a 750 agency repeat=0", "bad repeat \"0\""},
    {"1 a 750 agency repeat=999ms", "bad repeat"},
    {"1 a 750 agency repeat=367d", "bad repeat"},
    {"1 a 750 agency repeat=1d repeat=2d", "unknown or repeated option"},
    {"1 a 750 agency\n2 b 700 agency", "line 2: level 2: permille 700 is before level 1's 750"},
    {"1 a 750 agency repeat=1d\n\n2 b 800 agency", "line 3: level 2 follows level 1, which "
                                                   "repeats: only the last step may repeat"},
};

static void test_parse_errors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof s_bad / sizeof s_bad[0]; i++) {
    mash_ladder_t l;
    char err[256] = "";
    int rc = mash_ladder_parse(&l, s_bad[i].text, err, sizeof err);
    if (rc != -1 || strstr(err, s_bad[i].err) == NULL)
      fail_msg("\"%s\": rc %d, \"%s\"; want \"%s\"", s_bad[i].text, rc, err, s_bad[i].err);
    assert_int_equal(l.n_steps, 0); /* left empty */
  }
}

static void test_parse_limits(void **state) {
  (void)state;
  /* 16 steps parse; the 17th is refused. */
  char text[2048];
  size_t used = 0;
  for (int i = 1; i <= 17; i++) {
    int n = snprintf(text + used, sizeof text - used, "%d s%d %d agency\n", i, i, i * 100);
    assert_true(n > 0 && (size_t)n < sizeof text - used);
    used += (size_t)n;
  }
  mash_ladder_t l;
  char err[256] = "";
  assert_int_equal(mash_ladder_parse(&l, text, err, sizeof err), -1);
  assert_non_null(strstr(err, "line 17: too many steps"));
  text[strstr(text, "17 s17") - text] = '\0';
  assert_int_equal(mash_ladder_parse(&l, text, err, sizeof err), 0);
  assert_int_equal(l.n_steps, 16);

  /* An over-long line is refused, with its number, not cut short. */
  char longline[700];
  memset(longline, 'a', sizeof longline);
  memcpy(longline, "1 a 750 ", 8);
  longline[sizeof longline - 1] = '\0';
  assert_int_equal(mash_ladder_parse(&l, longline, err, sizeof err), -1);
  assert_non_null(strstr(err, "line 1: step longer than"));

  /* Bounds on a hand-built ladder. */
  mash_ladder_t h = *mash_ladder_default();
  h.steps[1].level = 5;
  assert_int_equal(mash_ladder_check(&h, err, sizeof err), -1);
  assert_non_null(strstr(err, "level 5 out of order"));
  h = *mash_ladder_default();
  h.steps[0].n_parties = 0;
  assert_int_equal(mash_ladder_check(&h, err, sizeof err), -1);
  h = *mash_ladder_default();
  h.steps[0].flags = 0x80;
  assert_int_equal(mash_ladder_check(&h, err, sizeof err), -1);
  assert_non_null(strstr(err, "unknown flags"));
  h = *mash_ladder_default();
  memset(h.steps[0].name, 'a', sizeof h.steps[0].name); /* no NUL */
  assert_int_equal(mash_ladder_check(&h, err, sizeof err), -1);
  h = *mash_ladder_default();
  h.n_steps = MASH_LADDER_MAX_STEPS + 1;
  assert_int_equal(mash_ladder_check(&h, err, sizeof err), -1);
  /* err may be NULL. */
  assert_int_equal(mash_ladder_parse(&l, "bogus", NULL, 0), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_ladder_shape),
      cmocka_unit_test(test_default_table),
      cmocka_unit_test(test_partial_pack_only_at_level_3),
      cmocka_unit_test(test_loop_follows_next),
      cmocka_unit_test(test_random_outages),
      cmocka_unit_test(test_window_from_callback),
      cmocka_unit_test(test_ladder_without_repeat_ends),
      cmocka_unit_test(test_offsets),
      cmocka_unit_test(test_no_deadline),
      cmocka_unit_test(test_parse_default_text),
      cmocka_unit_test(test_format_round_trip),
      cmocka_unit_test(test_add_ini_values),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_parse_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
