/* ladder: the escalation ladder as a const table and a pure step function.
 * See ladder.h. No clock, no I/O, no allocation. */
#include "ladder.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (86400LL * 1000)
#define SPEC_MAX 512 /* longest step specification accepted */
#define MAX_FIELDS 8

/* DESIGN.md §4: reminder at 75% to the agency; at the deadline, the agency's
 * duty lead and the hub team manager; at deadline + 50% of the window, the
 * head of service and a partial pack; then the strategic lead, daily. */
static const mash_ladder_t s_default = {
    .n_steps = 4,
    .steps =
        {
            {.level = 1,
             .name = "reminder",
             .permille = 750,
             .n_parties = 1,
             .parties = {MASH_ROLE_AGENCY}},
            {.level = 2,
             .name = "overdue",
             .permille = 1000,
             .n_parties = 2,
             .parties = {MASH_ROLE_AGENCY_DUTY_LEAD, MASH_ROLE_HUB_TEAM_MANAGER}},
            {.level = 3,
             .name = "head_of_service",
             .permille = 1500,
             .n_parties = 1,
             .parties = {MASH_ROLE_HEAD_OF_SERVICE},
             .flags = MASH_LADDER_ISSUE_PARTIAL_PACK},
            {.level = 4,
             .name = "strategic_lead",
             .permille = 1500,
             .offset_ms = DAY_MS,
             .n_parties = 1,
             .parties = {MASH_ROLE_STRATEGIC_LEAD},
             .repeat_ms = DAY_MS},
        },
};

const mash_ladder_t *mash_ladder_default(void) {
  return &s_default;
}

/* The hub's own duties (screening, decision): the duty worker is reminded,
 * then the team manager told at the deadline, then the head of service at
 * deadline + 50%, daily until done. */
static const mash_ladder_t s_default_hub = {
    .n_steps = 3,
    .steps =
        {
            {.level = 1,
             .name = "reminder",
             .permille = 750,
             .n_parties = 1,
             .parties = {MASH_ROLE_HUB_DUTY_WORKER}},
            {.level = 2,
             .name = "overdue",
             .permille = 1000,
             .n_parties = 1,
             .parties = {MASH_ROLE_HUB_TEAM_MANAGER}},
            {.level = 3,
             .name = "head_of_service",
             .permille = 1500,
             .n_parties = 1,
             .parties = {MASH_ROLE_HEAD_OF_SERVICE},
             .repeat_ms = DAY_MS},
        },
};

const mash_ladder_t *mash_ladder_default_hub(void) {
  return &s_default_hub;
}

void mash_ladder_clear(mash_ladder_t *l) {
  memset(l, 0, sizeof *l);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
                                                      ...) {
  if (err && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* ---------------------------------------------------------------- validation */

static bool valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n >= MASH_LADDER_NAME_MAX)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isalnum(c) && c != '_' && c != '-')
      return false;
  }
  return true;
}

static bool valid_role(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n >= MASH_LADDER_ROLE_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

/* Check step `i` of `l` against its own bounds and against step i-1. Whether
 * a repeating step is the last is left to the caller, which knows if the
 * ladder is complete. */
static int check_step(const mash_ladder_t *l, size_t i, char *err, size_t errlen) {
  const mash_ladder_step_t *s = &l->steps[i];
  if (s->level != i + 1)
    return fail(err, errlen, "level %u out of order: expected %zu", s->level, i + 1);
  /* The name must be NUL-terminated inside its array before strlen sees it. */
  if (memchr(s->name, '\0', sizeof s->name) == NULL || !valid_name(s->name))
    return fail(err, errlen, "level %u: bad step name (1-%d of A-Z a-z 0-9 _ -)", s->level,
                MASH_LADDER_NAME_MAX - 1);
  if (s->permille < 0 || s->permille > MASH_LADDER_MAX_PERMILLE)
    return fail(err, errlen, "level %u: permille %d out of range 0-%d", s->level, s->permille,
                MASH_LADDER_MAX_PERMILLE);
  if (s->offset_ms < -MASH_LADDER_MAX_OFFSET_MS || s->offset_ms > MASH_LADDER_MAX_OFFSET_MS)
    return fail(err, errlen, "level %u: offset out of range (at most 366d either way)", s->level);
  if (s->n_parties == 0 || s->n_parties > MASH_LADDER_MAX_PARTIES)
    return fail(err, errlen, "level %u: %zu parties: need 1-%d", s->level, s->n_parties,
                MASH_LADDER_MAX_PARTIES);
  for (size_t p = 0; p < s->n_parties; p++) {
    if (memchr(s->parties[p], '\0', sizeof s->parties[p]) == NULL || !valid_role(s->parties[p]))
      return fail(err, errlen, "level %u: bad role name (1-%d of a-z 0-9 _, from a letter)",
                  s->level, MASH_LADDER_ROLE_MAX - 1);
    for (size_t q = 0; q < p; q++)
      if (strcmp(s->parties[p], s->parties[q]) == 0)
        return fail(err, errlen, "level %u: role %s named twice", s->level, s->parties[p]);
  }
  if (s->flags & ~MASH_LADDER_ISSUE_PARTIAL_PACK)
    return fail(err, errlen, "level %u: unknown flags 0x%x", s->level, s->flags);
  if (s->repeat_ms != 0 &&
      (s->repeat_ms < MASH_LADDER_MIN_REPEAT_MS || s->repeat_ms > MASH_LADDER_MAX_REPEAT_MS))
    return fail(err, errlen, "level %u: repeat out of range (1s-366d)", s->level);
  if (i > 0) {
    const mash_ladder_step_t *prev = &l->steps[i - 1];
    if (s->permille < prev->permille)
      return fail(err, errlen, "level %u: permille %d is before level %u's %d", s->level,
                  s->permille, prev->level, prev->permille);
    if (prev->repeat_ms != 0)
      return fail(err, errlen,
                  "level %u follows level %u, which repeats: only the last step "
                  "may repeat",
                  s->level, prev->level);
  }
  return 0;
}

int mash_ladder_check(const mash_ladder_t *l, char *err, size_t errlen) {
  if (l->n_steps == 0)
    return fail(err, errlen, "the ladder has no steps");
  if (l->n_steps > MASH_LADDER_MAX_STEPS)
    return fail(err, errlen, "%zu steps: at most %d", l->n_steps, MASH_LADDER_MAX_STEPS);
  for (size_t i = 0; i < l->n_steps; i++)
    if (check_step(l, i, err, errlen) != 0)
      return -1;
  return 0;
}

/* ---------------------------------------------------------------- parsing */

/* A non-negative decimal integer made of digits only, at most `max`. */
static bool parse_uint(const char *s, long long max, long long *out) {
  if (!isdigit((unsigned char)s[0]))
    return false;
  for (const char *p = s; *p; p++)
    if (!isdigit((unsigned char)*p))
      return false;
  errno = 0;
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max)
    return false;
  *out = v;
  return true;
}

/* DURATION: digits and a unit (ms, s, m, h, d); bare digits are ms. */
static bool parse_duration(const char *s, int64_t max_ms, int64_t *out) {
  static const struct {
    const char *unit;
    int64_t ms;
  } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", DAY_MS}, {"", 1}};
  size_t digits = 0;
  while (isdigit((unsigned char)s[digits]))
    digits++;
  if (digits == 0 || digits > 18)
    return false;
  char num[20];
  memcpy(num, s, digits);
  num[digits] = '\0';
  long long v;
  if (!parse_uint(num, LLONG_MAX, &v))
    return false;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (strcmp(s + digits, units[i].unit) == 0) {
      if (v > max_ms / units[i].ms)
        return false;
      *out = (int64_t)v * units[i].ms;
      return true;
    }
  }
  return false;
}

/* AT: PERMILLE[(+|-)DURATION]. */
static int parse_at(char *s, mash_ladder_step_t *st, char *err, size_t errlen) {
  char *sign = strpbrk(s, "+-");
  int64_t offset = 0;
  if (sign) {
    char c = *sign;
    *sign = '\0';
    if (!parse_duration(sign + 1, MASH_LADDER_MAX_OFFSET_MS, &offset))
      return fail(err, errlen,
                  "bad offset \"%s\" in AT (want e.g. 1500+1d; units ms s m h d, "
                  "at most 366d)",
                  sign + 1);
    if (c == '-')
      offset = -offset;
  }
  long long pm;
  if (!parse_uint(s, MASH_LADDER_MAX_PERMILLE, &pm))
    return fail(err, errlen, "bad permille \"%s\" in AT (want 0-%d, e.g. 750 for 75%%)", s,
                MASH_LADDER_MAX_PERMILLE);
  st->permille = (int)pm;
  st->offset_ms = offset;
  return 0;
}

static int parse_parties(char *s, mash_ladder_step_t *st, char *err, size_t errlen) {
  st->n_parties = 0;
  for (char *p = s;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (st->n_parties == MASH_LADDER_MAX_PARTIES)
      return fail(err, errlen, "too many parties (at most %d)", MASH_LADDER_MAX_PARTIES);
    if (!valid_role(p))
      return fail(err, errlen, "bad role name \"%s\" (1-%d of a-z 0-9 _, from a letter)", p,
                  MASH_LADDER_ROLE_MAX - 1);
    snprintf(st->parties[st->n_parties], MASH_LADDER_ROLE_MAX, "%s", p);
    st->n_parties++;
    if (!comma)
      break;
    p = comma + 1;
  }
  return 0;
}

/* Split `buf` in place at whitespace. Returns the number of fields, or
 * MAX_FIELDS + 1 when there are too many. */
static size_t split_fields(char *buf, char **fields) {
  size_t n = 0;
  char *p = buf;
  for (;;) {
    while (*p && isspace((unsigned char)*p))
      p++;
    if (!*p)
      break;
    if (n == MAX_FIELDS)
      return MAX_FIELDS + 1;
    fields[n++] = p;
    while (*p && !isspace((unsigned char)*p))
      p++;
    if (*p)
      *p++ = '\0';
  }
  return n;
}

/* Copy `spec` without its comment into `buf`. Returns false if too long. */
static bool strip_comment(const char *spec, size_t len, char *buf) {
  size_t n = strcspn(spec, "#;");
  if (n > len)
    n = len;
  if (n >= SPEC_MAX)
    return false;
  memcpy(buf, spec, n);
  buf[n] = '\0';
  return true;
}

static int add_stripped(mash_ladder_t *l, char *buf, char *err, size_t errlen) {
  char *f[MAX_FIELDS];
  size_t nf = split_fields(buf, f);
  if (nf == 0)
    return fail(err, errlen, "empty step (want: LEVEL NAME AT PARTIES [pack] [repeat=DURATION])");
  if (nf < 4 || nf > 6)
    return fail(err, errlen, "%s fields (want: LEVEL NAME AT PARTIES [pack] [repeat=DURATION])",
                nf > 6 ? "too many" : "too few");
  if (l->n_steps >= MASH_LADDER_MAX_STEPS)
    return fail(err, errlen, "too many steps (at most %d)", MASH_LADDER_MAX_STEPS);

  mash_ladder_step_t st;
  memset(&st, 0, sizeof st);
  long long level;
  if (!parse_uint(f[0], UINT_MAX, &level) || level == 0)
    return fail(err, errlen, "bad level \"%s\" (want 1, 2, 3 ...)", f[0]);
  st.level = (unsigned)level;
  if (!valid_name(f[1]))
    return fail(err, errlen, "bad step name \"%s\" (1-%d of A-Z a-z 0-9 _ -)", f[1],
                MASH_LADDER_NAME_MAX - 1);
  snprintf(st.name, sizeof st.name, "%s", f[1]);
  if (parse_at(f[2], &st, err, errlen) != 0)
    return -1;
  if (parse_parties(f[3], &st, err, errlen) != 0)
    return -1;
  bool seen_pack = false, seen_repeat = false;
  for (size_t i = 4; i < nf; i++) {
    if (strcmp(f[i], "pack") == 0 && !seen_pack) {
      st.flags |= MASH_LADDER_ISSUE_PARTIAL_PACK;
      seen_pack = true;
    } else if (strncmp(f[i], "repeat=", 7) == 0 && !seen_repeat) {
      if (!parse_duration(f[i] + 7, MASH_LADDER_MAX_REPEAT_MS, &st.repeat_ms) ||
          st.repeat_ms < MASH_LADDER_MIN_REPEAT_MS)
        return fail(err, errlen, "bad repeat \"%s\" (want 1s-366d, e.g. repeat=1d)", f[i] + 7);
      seen_repeat = true;
    } else {
      return fail(err, errlen, "unknown or repeated option \"%s\" (want pack, repeat=DURATION)",
                  f[i]);
    }
  }

  /* Check in place as the next step, then commit: on error `l` is unchanged. */
  l->steps[l->n_steps] = st;
  if (check_step(l, l->n_steps, err, errlen) != 0) {
    memset(&l->steps[l->n_steps], 0, sizeof l->steps[l->n_steps]);
    return -1;
  }
  l->n_steps++;
  return 0;
}

int mash_ladder_add(mash_ladder_t *l, const char *spec, char *err, size_t errlen) {
  char buf[SPEC_MAX];
  if (!strip_comment(spec, strlen(spec), buf))
    return fail(err, errlen, "step longer than %d characters", SPEC_MAX - 1);
  return add_stripped(l, buf, err, errlen);
}

int mash_ladder_parse(mash_ladder_t *l, const char *text, char *err, size_t errlen) {
  char why[256];
  unsigned lineno = 0;
  mash_ladder_clear(l);
  for (const char *p = text; *p;) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    lineno++;
    char buf[SPEC_MAX];
    if (!strip_comment(p, len, buf)) {
      mash_ladder_clear(l);
      return fail(err, errlen, "line %u: step longer than %d characters", lineno, SPEC_MAX - 1);
    }
    char *q = buf;
    while (*q && isspace((unsigned char)*q))
      q++;
    if (*q && add_stripped(l, buf, why, sizeof why) != 0) {
      mash_ladder_clear(l);
      return fail(err, errlen, "line %u: %s", lineno, why);
    }
    if (!eol)
      break;
    p = eol + 1;
  }
  if (mash_ladder_check(l, why, sizeof why) != 0) {
    mash_ladder_clear(l);
    return fail(err, errlen, "%s", why);
  }
  return 0;
}

/* ---------------------------------------------------------------- formatting */

/* Append to buf at *used, as snprintf, tracking the length needed. */
__attribute__((format(printf, 4, 5))) static int put(char *buf, size_t len, size_t *used,
                                                     const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *dst = *used < len ? buf + *used : NULL;
  size_t room = *used < len ? len - *used : 0;
  int n = vsnprintf(dst, room, fmt, ap);
  va_end(ap);
  if (n < 0)
    return -1;
  *used += (size_t)n;
  return 0;
}

/* The largest unit that divides `ms` exactly. */
static int put_duration(char *buf, size_t len, size_t *used, int64_t ms) {
  static const struct {
    const char *unit;
    int64_t ms;
  } units[] = {{"d", DAY_MS}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (ms % units[i].ms == 0)
      return put(buf, len, used, "%lld%s", (long long)(ms / units[i].ms), units[i].unit);
  return -1; /* unreachable: 1 divides everything */
}

int mash_ladder_format(const mash_ladder_t *l, char *buf, size_t len) {
  size_t used = 0;
  if (len > 0)
    buf[0] = '\0';
  for (size_t i = 0; i < l->n_steps && i < MASH_LADDER_MAX_STEPS; i++) {
    const mash_ladder_step_t *s = &l->steps[i];
    if (put(buf, len, &used, "%u %s %d", s->level, s->name, s->permille) != 0)
      return -1;
    if (s->offset_ms != 0) {
      int64_t mag = s->offset_ms < 0 ? -s->offset_ms : s->offset_ms;
      if (put(buf, len, &used, "%c", s->offset_ms < 0 ? '-' : '+') != 0 ||
          put_duration(buf, len, &used, mag) != 0)
        return -1;
    }
    for (size_t p = 0; p < s->n_parties && p < MASH_LADDER_MAX_PARTIES; p++)
      if (put(buf, len, &used, "%c%s", p == 0 ? ' ' : ',', s->parties[p]) != 0)
        return -1;
    if ((s->flags & MASH_LADDER_ISSUE_PARTIAL_PACK) && put(buf, len, &used, " pack") != 0)
      return -1;
    if (s->repeat_ms != 0 &&
        (put(buf, len, &used, " repeat=") != 0 || put_duration(buf, len, &used, s->repeat_ms) != 0))
      return -1;
    if (put(buf, len, &used, "\n") != 0)
      return -1;
  }
  return used > INT_MAX ? -1 : (int)used;
}

/* ---------------------------------------------------------------- the step function */

/* a + b, saturating at the int64 range (instants near "never" stay there). */
static int64_t sat_add(int64_t a, int64_t b) {
  if (b > 0 && a > INT64_MAX - b)
    return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b)
    return INT64_MIN;
  return a + b;
}

static int64_t step_instant(const mash_ladder_step_t *s, mash_ladder_at_cb at, void *ctx) {
  int64_t base = at(ctx, s->permille);
  if (base == MASH_LADDER_NEVER)
    return MASH_LADDER_NEVER;
  return sat_add(base, s->offset_ms);
}

/* The repeat grid of a repeating step: instants base + k * repeat. Finds the
 * latest grid point <= now (k >= 0; false if now < base) and the first
 * grid point > now. */
static bool grid_at(int64_t base, int64_t repeat, int64_t now, int64_t *k_out, int64_t *point_out,
                    int64_t *next_out) {
  if (base == MASH_LADDER_NEVER) {
    *next_out = MASH_LADDER_NEVER;
    return false;
  }
  if (now < base) {
    *next_out = base;
    return false;
  }
  /* now >= base, so now - base fits unless base is very negative. */
  uint64_t span = (uint64_t)now - (uint64_t)base;
  uint64_t k = span / (uint64_t)repeat;
  uint64_t off = k * (uint64_t)repeat; /* <= span: no overflow */
  *k_out = k > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)k;
  *point_out = (int64_t)((uint64_t)base + off);
  *next_out = sat_add(*point_out, repeat);
  return true;
}

void mash_ladder_advance(const mash_ladder_t *l, const mash_ladder_state_t *state,
                         mash_ladder_at_cb at, void *ctx, int64_t now_ms,
                         mash_ladder_result_t *out) {
  /* Copied first: `state` may point into `out` (a caller feeding back
   * out->state). */
  const mash_ladder_state_t st = *state;
  memset(out, 0, sizeof *out);
  out->state = st;
  out->next_ms = MASH_LADDER_NEVER;
  if (st.closed || l->n_steps == 0)
    return;

  size_t n = l->n_steps < MASH_LADDER_MAX_STEPS ? l->n_steps : MASH_LADDER_MAX_STEPS;
  const mash_ladder_step_t *last = &l->steps[n - 1];
  bool fired = false;

  /* Every step above the stored level whose instant has come, in order; stop
   * at the first that is still to come: it sets the next call. */
  for (size_t i = st.level; i < n; i++) {
    const mash_ladder_step_t *s = &l->steps[i];
    int64_t due = step_instant(s, at, ctx);
    if (due > now_ms) {
      out->next_ms = due;
      break;
    }
    mash_ladder_action_t *a = &out->actions[out->n_actions++];
    a->level = s->level;
    a->step = s;
    a->due_at_ms = due;
    a->repeat = 0;
    out->state.level = s->level;
    fired = true;
  }

  /* Everything has fired: the last step repeats, if it does, at most once
   * per call however many repeats an outage skipped. */
  if (out->state.level >= last->level && last->repeat_ms > 0) {
    int64_t k = 0, point = 0, next = MASH_LADDER_NEVER;
    bool have = grid_at(step_instant(last, at, ctx), last->repeat_ms, now_ms, &k, &point, &next);
    /* A first firing in this call covers the grid point it fell on; otherwise
     * fire if the latest grid point is later than the last firing. */
    bool first_now = out->n_actions > 0 && out->actions[out->n_actions - 1].step == last;
    if (have && !first_now && point > st.fired_at_ms) {
      mash_ladder_action_t *a = &out->actions[out->n_actions++];
      a->level = last->level;
      a->step = last;
      a->due_at_ms = point;
      a->repeat = k > UINT_MAX ? UINT_MAX : (unsigned)k;
      fired = true;
    }
    out->next_ms = next;
  }
  if (fired)
    out->state.fired_at_ms = now_ms;
}
