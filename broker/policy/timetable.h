/* timetable: every timed duty of the hub (screening, each agency request,
 * the decision, any later kind) as an item with an id and its next instant
 * (DESIGN.md §4, "One timetable").
 *
 * Responsible for: a binary min-heap keyed by the next instant (ties broken
 * by id, so the order is total and reproducible) and an index by id (an
 * open-addressing hash map with linear probing and backward-shift deletion)
 * that knows each item's place in the heap. Add, update and remove cost
 * O(log n); taking k due items costs O(k log n); the earliest instant is
 * O(1); loading n items into an empty timetable (start-up) costs O(n). An
 * open item costs 16 bytes in the heap and 16 bytes in the index,
 * and the index is kept at most half full, so about 48-80 bytes an item.
 *
 * Must not: read the clock, know what an item is (the id is the caller's),
 * do I/O. Pure data structure; not thread-safe; any one thread at a time.
 */
#ifndef MASH_BROKER_TIMETABLE_H
#define MASH_BROKER_TIMETABLE_H

#include <stddef.h>
#include <stdint.h>

/* The instant of an item that never falls due (the same value as
 * MASH_LADDER_NEVER and MASH_DEADLINE_NEVER). */
#define MASH_TIMETABLE_NEVER INT64_MAX

/* Error codes (negative). */
#define MASH_TIMETABLE_ENOMEM (-1) /* the heap or the index could not grow */
#define MASH_TIMETABLE_ENOENT (-2) /* no item with that id */
#define MASH_TIMETABLE_EEXIST (-3) /* two items of one load share an id */
#define MASH_TIMETABLE_EINVAL (-4) /* a load into a timetable not empty */

typedef struct mash_timetable mash_timetable_t;

/* A due item, as taken. */
typedef struct mash_timetable_item {
  uint64_t id;
  int64_t at_ms;
} mash_timetable_item_t;

/* An empty timetable, or NULL when out of memory. */
mash_timetable_t *mash_timetable_new(void);

/* Frees the timetable; accepts NULL and *self_p == NULL; nulls *self_p. */
void mash_timetable_destroy(mash_timetable_t **self_p);

/* Make room for `n` items in all (loading a known number at start-up avoids
 * rehashing on the way). Returns 0 or MASH_TIMETABLE_ENOMEM. */
int mash_timetable_reserve(mash_timetable_t *t, size_t n);

/* Add item `id` due at `at_ms`, or move it to `at_ms` when it is there
 * already. Returns 0 or MASH_TIMETABLE_ENOMEM (the timetable unchanged). */
int mash_timetable_set(mash_timetable_t *t, uint64_t id, int64_t at_ms);

/* Fill an empty timetable with the n items of items[] (an array of cap
 * items from malloc, in any order, ids distinct): start-up's load of every
 * open duty. O(n): the array becomes the heap in place (Floyd's
 * construction) and the index is sized once. Ownership of the array moves
 * in every case (*items_p is NULLed; freed on error). Returns 0,
 * MASH_TIMETABLE_ENOMEM, MASH_TIMETABLE_EEXIST (two items share an id) or
 * MASH_TIMETABLE_EINVAL (the timetable is not empty); on error the
 * timetable is unchanged. */
int mash_timetable_load(mash_timetable_t *t, mash_timetable_item_t **items_p, size_t n, size_t cap);

/* Remove item `id`. Returns 0 or MASH_TIMETABLE_ENOENT. */
int mash_timetable_remove(mash_timetable_t *t, uint64_t id);

/* The instant of item `id` in *at_ms. Returns 0 or MASH_TIMETABLE_ENOENT. */
int mash_timetable_get(const mash_timetable_t *t, uint64_t id, int64_t *at_ms);

/* The earliest instant of any item, or MASH_TIMETABLE_NEVER when empty. */
int64_t mash_timetable_next(const mash_timetable_t *t);

/* Take (remove and copy into out[]) at most `max` items due at or before
 * now_ms, earliest first. Returns how many were taken. */
size_t mash_timetable_take(mash_timetable_t *t, int64_t now_ms, mash_timetable_item_t *out,
                           size_t max);

size_t mash_timetable_count(const mash_timetable_t *t);

/* Bytes held by the heap and the index (for the benchmark). */
size_t mash_timetable_memory(const mash_timetable_t *t);

#endif
