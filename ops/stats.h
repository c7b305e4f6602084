/* stats: management information from the broker's store (DESIGN.md §1):
 * contacts by source, time to screen, to pack and to decision, agency reply
 * times by agency and RAG (p50, p90), open and overdue enquiries,
 * escalations by level, DASH completeness, consent recorded, the oldest open
 * item. Read-only; reads plain columns only, never sealed content. */
#ifndef MASH_OPS_STATS_H
#define MASH_OPS_STATS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Compute the figures from the database at `path` as of now_ms. Returns a
 * new JSON object, or NULL with a reason in err. */
json_t *mash_stats_compute(const char *path, int64_t now_ms, char *err, size_t errlen);

/* Print the figures as readable text. */
void mash_stats_print(const json_t *stats);

/* p-th percentile (nearest rank) of n sorted values; 0 when n is 0. */
int64_t mash_stats_percentile(const int64_t *sorted, size_t n, int p);

#endif
