/* store_sumcache.h: the opened comparison summaries a store keeps in
 * memory by person row number (store_sumcache.c). Internal to the store
 * implementations and their tests. */
#ifndef MASH_STORE_SUMCACHE_H
#define MASH_STORE_SUMCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct store_sumcache store_sumcache_t;

/* The longest summary held; a longer one is read from the store each time. */
#define STORE_SUMCACHE_DATA_MAX 94u

/* A cache of at most max_bytes of memory (at least 1,024 summaries' worth),
 * or NULL when max_bytes is 0 or memory is short: every function below
 * accepts NULL and then holds nothing. */
store_sumcache_t *store_sumcache_new(size_t max_bytes);
void store_sumcache_destroy(store_sumcache_t **c);

/* Make room for n summaries and a quarter more at once (before a bulk
 * fill), within the bound. 0 or -ENOMEM (the cache keeps what it had). */
int store_sumcache_reserve(store_sumcache_t *c, size_t n);

/* The summary of person row id if held: a pointer into the cache (valid
 * until the next call that changes it) and its length. */
bool store_sumcache_get(store_sumcache_t *c, int64_t id, int *is_child, const uint8_t **data,
                        size_t *len);

/* Hold id's summary as read from the store (a committed one, or one this
 * transaction wrote and noted). A summary over STORE_SUMCACHE_DATA_MAX
 * is not held. */
void store_sumcache_put(store_sumcache_t *c, int64_t id, int is_child, const uint8_t *data,
                        size_t len);

/* The store wrote or dropped id's summary in the open transaction: forget
 * what is held, and remember id until the transaction ends, so that a
 * rollback forgets it again (it may have been read back meanwhile). */
void store_sumcache_written(store_sumcache_t *c, int64_t id);

/* The transaction committed: what it wrote is the store's now. */
void store_sumcache_committed(store_sumcache_t *c);
/* The transaction, or a savepoint in it, was undone: forget every summary
 * it wrote (all of them when it wrote more than it remembers). The ids are
 * kept until the transaction ends: an outer rollback forgets them too. */
void store_sumcache_undone(store_sumcache_t *c);
/* The whole transaction was rolled back. */
void store_sumcache_rolled_back(store_sumcache_t *c);

/* Forget everything (another connection changed the store). */
void store_sumcache_clear(store_sumcache_t *c);

/* What the cache did since it was made (store.h). */
void store_sumcache_stats(const store_sumcache_t *c, mash_store_person_cache_t *out);

#endif
