/* ladder: the escalation ladder (DESIGN.md §4) as a table and a pure step
 * function.
 *
 * A ladder is a table of steps, loaded from configuration or taken from the
 * default. Each step names a level, a name, an instant relative to the item's
 * reply window (permille of the window plus a fixed offset), the parties to
 * tell, flags (issue a partial pack) and an optional repeat interval.
 * mash_ladder_advance() is given the ladder, an item's stored escalation
 * state and the time now, and says which steps fire now, the state to store
 * and when to call again. The caller then does the work: store, append to the
 * escalation log, send, publish.
 *
 * Must not: read the clock, touch the disk or the network, allocate, or know
 * about calendars. Where "75% of the window" falls (working hours, bank
 * holidays) is the deadline module's business, reached through a callback.
 */
#ifndef MASH_BROKER_LADDER_H
#define MASH_BROKER_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MASH_LADDER_MAX_STEPS 16
#define MASH_LADDER_MAX_PARTIES 8
#define MASH_LADDER_NAME_MAX 32 /* bytes including the terminating NUL */
#define MASH_LADDER_ROLE_MAX 32 /* bytes including the terminating NUL */

/* Bounds accepted by the parser (and by mash_ladder_check). */
#define MASH_LADDER_MAX_PERMILLE 100000                  /* 100 windows */
#define MASH_LADDER_MAX_OFFSET_MS (366LL * 86400 * 1000) /* a year either way */
#define MASH_LADDER_MIN_REPEAT_MS 1000LL                 /* one second */
#define MASH_LADDER_MAX_REPEAT_MS (366LL * 86400 * 1000) /* a year */

/* "Never": next_ms when nothing more will fire (item closed, ladder done). */
#define MASH_LADDER_NEVER INT64_MAX

/* Step flags. */
#define MASH_LADDER_ISSUE_PARTIAL_PACK 0x1u /* issue the pack, missing answers marked */

/* Role names used by the default ladder; the router resolves them to
 * principals. The parser accepts any [a-z][a-z0-9_]* role name. */
#define MASH_ROLE_AGENCY "agency"
#define MASH_ROLE_AGENCY_DUTY_LEAD "agency_duty_lead"
#define MASH_ROLE_HUB_TEAM_MANAGER "hub_team_manager"
#define MASH_ROLE_HEAD_OF_SERVICE "head_of_service"
#define MASH_ROLE_STRATEGIC_LEAD "strategic_lead"
#define MASH_ROLE_HUB_DUTY_WORKER "hub_duty_worker"

typedef struct mash_ladder_step {
  unsigned level;                  /* 1, 2, 3 ...: the index in the table plus one */
  char name[MASH_LADDER_NAME_MAX]; /* "reminder", "overdue", ... */
  int permille;                    /* of the window: 750 = 75%, 1000 = the deadline */
  int64_t offset_ms;               /* added to the permille instant (may be negative) */
  size_t n_parties;
  char parties[MASH_LADDER_MAX_PARTIES][MASH_LADDER_ROLE_MAX];
  unsigned flags;    /* MASH_LADDER_ISSUE_PARTIAL_PACK */
  int64_t repeat_ms; /* 0: once; else again every repeat_ms until closed (last step only) */
} mash_ladder_step_t;

/* A plain value: no resources, may be copied and kept const. */
typedef struct mash_ladder {
  size_t n_steps;
  mash_ladder_step_t steps[MASH_LADDER_MAX_STEPS];
} mash_ladder_t;

/* Where an item's window puts `permille` (0 = window start, 1000 = due),
 * as an absolute UTC instant in ms. Supplied by the caller's deadline module;
 * must be pure (same answer for the same item and permille) and
 * non-decreasing in permille. MASH_LADDER_NEVER (INT64_MAX, the same value
 * as MASH_DEADLINE_NEVER) means the instant never comes: that step and
 * those after it never fire. Typically a wrapper around
 * mash_deadline_at_fraction (common/deadline.h) with the item's RAG, start
 * and stored due instant; do not run the ladder for blue items, for which
 * that function returns 0. */
typedef int64_t (*mash_ladder_at_cb)(void *ctx, int permille);

/* An item's escalation state, as stored with it. A new item is all zeros. */
typedef struct mash_ladder_state {
  unsigned level;      /* highest level reached; 0 = none yet */
  int64_t fired_at_ms; /* `now` of the call that last fired a step; 0 = never */
  bool closed;         /* the item is answered or closed: nothing more fires */
} mash_ladder_state_t;

/* One step to carry out now. */
typedef struct mash_ladder_action {
  unsigned level;
  const mash_ladder_step_t *step; /* points into the ladder given */
  int64_t due_at_ms;              /* the instant this firing was scheduled for (<= now) */
  unsigned repeat;                /* 0: first firing; k: the k-th repeat (a stable id part) */
} mash_ladder_action_t;

typedef struct mash_ladder_result {
  size_t n_actions; /* in level order */
  mash_ladder_action_t actions[MASH_LADDER_MAX_STEPS];
  mash_ladder_state_t state; /* store this with the item before or with the actions */
  int64_t next_ms;           /* call again at this instant (> now), or MASH_LADDER_NEVER */
} mash_ladder_result_t;

/* The default ladder of DESIGN.md §4, as configuration text would give it:
 *   1 reminder        750       agency
 *   2 overdue         1000      agency_duty_lead,hub_team_manager
 *   3 head_of_service 1500      head_of_service  pack
 *   4 strategic_lead  1500+1d   strategic_lead   repeat=1d
 * Returns a pointer to a static const table (never NULL). Any thread. */
const mash_ladder_t *mash_ladder_default(void);

/* The default ladder of the hub's own duties, screening and decision
 * (DESIGN.md §4), as configuration text would give it:
 *   1 reminder        750   hub_duty_worker
 *   2 overdue         1000  hub_team_manager
 *   3 head_of_service 1500  head_of_service  repeat=1d
 * Returns a pointer to a static const table (never NULL). Any thread. */
const mash_ladder_t *mash_ladder_default_hub(void);

/* Empty `l` (no steps). */
void mash_ladder_clear(mash_ladder_t *l);

/* Parse one step specification and append it to `l`. The syntax, in
 * whitespace-separated fields:
 *
 *   LEVEL NAME AT PARTIES [pack] [repeat=DURATION]
 *
 *   LEVEL    1, 2, 3 ... : must be the next level (steps are given in order)
 *   NAME     [A-Za-z0-9_-], 1-31 characters
 *   AT       PERMILLE, or PERMILLE+DURATION, or PERMILLE-DURATION
 *            (permille 0-100000 of the reply window)
 *   PARTIES  comma-separated role names [a-z][a-z0-9_]*, 1-8, no repeats
 *   pack     the step issues the pack with the missing answers marked
 *   repeat=  fire again every DURATION until the item is closed
 *   DURATION an integer with a unit: ms, s, m, h, d (a bare integer is ms)
 *
 * Everything from a '#' or ';' is a comment. This is one value of an ini key,
 * so an [escalation] section may say "step = 2 overdue 1000 hub_team_manager"
 * once per step. Returns 0, or -1 with a reason in `err` (`l` unchanged). */
int mash_ladder_add(mash_ladder_t *l, const char *spec, char *err, size_t errlen);

/* Check a whole ladder: at least one step, levels 1..n in order, permille
 * non-decreasing, bounds as above, only the last step repeats. Returns 0, or
 * -1 with a reason in `err`. */
int mash_ladder_check(const mash_ladder_t *l, char *err, size_t errlen);

/* Replace `l` with the ladder in `text`: one step per line in the syntax of
 * mash_ladder_add; blank lines and comment lines are skipped. Runs
 * mash_ladder_check. Returns 0, or -1 with "line N: reason" in `err`; on
 * error `l` is left empty. */
int mash_ladder_parse(mash_ladder_t *l, const char *text, char *err, size_t errlen);

/* Write `l` as text that mash_ladder_parse reads back to an equal ladder.
 * Returns the length it needed (as snprintf), or -1 on a formatting error. */
int mash_ladder_format(const mash_ladder_t *l, char *buf, size_t len);

/* The step function. Given the ladder, an item's stored state, where the
 * item's window puts a permille (`at`, with `ctx`) and the time now, fill
 * `out` with the steps to fire now, the new state and the next instant.
 *
 * Rules: steps fire in level order, each once. Every step above the stored
 * level whose instant has come fires now, so a restart after an outage fires
 * what fell due while down, once each, lowest level first; a step whose
 * instant precedes that of a lower step waits for it. The last step, if it
 * repeats, fires again at instant + k * repeat_ms; after an outage that
 * skipped several repeats it fires once, not once per missed repeat. A
 * closed item fires nothing and next_ms is MASH_LADDER_NEVER. Calling again
 * with out->state and the same `now` fires nothing (idempotent).
 *
 * `state` may point at out->state. `l` must pass mash_ladder_check. Pure: no
 * clock, no I/O, no allocation; any thread. */
void mash_ladder_advance(const mash_ladder_t *l, const mash_ladder_state_t *state,
                         mash_ladder_at_cb at, void *ctx, int64_t now_ms,
                         mash_ladder_result_t *out);

#endif
