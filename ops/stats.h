/* stats: management information from the broker's store (DESIGN.md §1):
 * contacts by source, time to screen, to pack and to decision, agency reply
 * times by agency and RAG (p50, p90), open and overdue enquiries,
 * escalations by level, DASH completeness, consent recorded, the oldest open
 * item. Read-only, through the store's statistics operations (store.h): it
 * never opens the broker's tables itself, and reads no sealed content. */
#ifndef MASH_OPS_STATS_H
#define MASH_OPS_STATS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Compute the figures from the store at `path` (opened read-only) as of
 * now_ms. Returns a new JSON object (the caller decrefs it), or NULL with a
 * reason in err. Any thread. */
json_t *mash_stats_compute(const char *path, int64_t now_ms, char *err, size_t errlen);

/* The same figures from an open store (a read-only one will do: PostgreSQL's
 * mash_store_postgres_open_readonly), borrowed; `name` names it in err. */
json_t *mash_stats_of_store(mash_store_t *store, const char *name, int64_t now_ms, char *err,
                            size_t errlen);

/* Print the figures as readable text on stdout. */
void mash_stats_print(const json_t *stats);

#endif
