/* validate_int: what the validator's files share (proto/validate*.c).
 *
 * PRIVATE to proto/: the path type, text flags, the ref table, the shared
 * checks, and one body validator per row of the message table
 * (messages.def). Must not: be included outside proto/.
 * Thread-safe (no state).
 */
#ifndef MASH_VALIDATE_INT_H
#define MASH_VALIDATE_INT_H

#include "codec.h"
#include "codec_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bounds that only the validator needs. Receipt errors mirror mash_field_error_t
 * so that a receiver can copy them without truncation. */
#define MAX_QUALITY_FLAGS 16u
#define MAX_RECEIPT_FIELD (sizeof(((mash_field_error_t *)0)->field) - 1u)
#define MAX_RECEIPT_MESSAGE (sizeof(((mash_field_error_t *)0)->message) - 1u)
#define PATH_LEN sizeof(((mash_field_error_t *)0)->field)
#define MIN_BIRTH_YEAR 1900
#define MAX_PRINCIPAL_LEN ((size_t)63) /* as the broker's key file */
/* A request's subjects and a pack's household: a notification's children and
 * adults together, so one ref table (2 * MASH_MAX_PEOPLE) holds them. */
#define MAX_LISTED_PEOPLE (2u * MASH_MAX_PEOPLE)

/* ------------------------------------------------------------------- paths */

/* Where a field sits: a chain of segments that lives on the validator's
 * stack, one per level of the walk. "notification.children[0].ref" is the
 * field "ref" of item 0 of the list "children" of the field "notification".
 * Turning a path into text costs a few copies and an snprintf, so it is done
 * only when an error is reported: a valid message never pays for its paths. */
typedef struct mash_vld_path {
  const struct mash_vld_path *parent; /* NULL: a field of the envelope itself */
  const char *name;                   /* the field, or for an item the list's field */
  size_t index;                       /* the item's index, when is_item */
  bool is_item;
} mash_vld_path_t;

/* The field `field` of `parent`, and item `i` of the list `list` of
 * `parent`, as pointers to temporaries that live until the end of the
 * enclosing block: long enough for any check they are passed to. */
#define PATH_FIELD(parent, field) (&(const mash_vld_path_t){(parent), (field), 0, false})
#define PATH_ITEM(parent, list, i) (&(const mash_vld_path_t){(parent), (list), (i), true})

enum {
  TEXT_REQUIRED = 1u << 0,  /* empty is an error */
  TEXT_SAFE_ID = 1u << 1,   /* only [A-Za-z0-9-_.:] */
  TEXT_MULTILINE = 1u << 2, /* allow tab, CR and LF */
};

/* Refs seen so far in one list of people (a notification's children and
 * adults, a request's subjects, a pack's household), with where they were
 * declared so a duplicate can name the first occurrence. Every caller bounds
 * the people it checks against one table by 2 * MASH_MAX_PEOPLE. */
typedef struct mash_vld_refs {
  const char *ref[2 * MASH_MAX_PEOPLE];
  bool is_child[2 * MASH_MAX_PEOPLE];
  const char *list[2 * MASH_MAX_PEOPLE]; /* "children", "adults", "subjects", ... */
  size_t index[2 * MASH_MAX_PEOPLE];
  size_t count;
  bool complete; /* false when a people list was skipped: refs are unknown */
} mash_vld_refs_t;

/* ------------------------------------------------------------ shared checks */

size_t mash_vld_error_total(const mash_errors_t *errs);
size_t mash_vld_path_render(const mash_vld_path_t *at, char *out);
/* Report an error at `at`: the only place a path becomes text. */
void mash_vld_fail(mash_errors_t *errs, const mash_vld_path_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool mash_vld_check_text(mash_errors_t *errs, const mash_vld_path_t *at, const char *s, size_t max,
                         unsigned flags);
bool mash_vld_check_enum(mash_errors_t *errs, const mash_vld_path_t *at, int value, int lo, int hi);
bool mash_vld_check_count(mash_errors_t *errs, const mash_vld_path_t *at, size_t n,
                          const void *items, size_t max);
void mash_vld_check_time(mash_errors_t *errs, const mash_vld_path_t *at, int64_t ms);
long mash_vld_today(int64_t now_ms);
void mash_vld_check_date(mash_errors_t *errs, const mash_vld_path_t *at, const char *s, long today);
mash_errors_t *mash_vld_errors_or_scratch(mash_errors_t *errs, mash_errors_t *scratch);
int64_t mash_vld_wall_clock_ms(void);
void mash_vld_check_people(mash_errors_t *errs, const mash_vld_path_t *prefix, const char *name,
                           size_t n, Mash__V1__Person *const *people, size_t max, bool is_child,
                           long today, mash_vld_refs_t *refs);
void mash_vld_check_contact(mash_errors_t *errs, const mash_vld_path_t *at,
                            const Mash__V1__Contact *c, long today);

/* ------------------------------------------------------ the body validators */

/* One per row of messages.def: check `body` (the Envelope's body of that
 * kind, not NULL) at path `at`; `today` is YYYYMMDD for dates of birth. */
#define MASH_MESSAGE(field, CASE, validator, sender, who, handler, tx)                             \
  void validator(mash_errors_t *errs, const mash_vld_path_t *at, const void *body, long today);
#include "messages.def"
#undef MASH_MESSAGE

#endif
