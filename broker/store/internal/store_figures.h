/* store_figures: the operations console's figures (mash_store_ops_figures)
 * computed the same way on every store engine.
 *
 * Responsible for: the one SQL text of each figure query, which query
 * fills which figure, the bounds on the rows kept, and the percentiles of
 * durations. The engine only runs a text with $1 from, $2 to, $3 now and
 * $4 the screening window bound (SQLite reads $1 as a named parameter).
 * Must not: write, read sealed content, or reach a database but through
 * the engine's callback. Runs on the thread using the store; reads only.
 */
#ifndef MASH_STORE_FIGURES_H
#define MASH_STORE_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One result row, read through the engine's accessors (valid during the
 * row callback only). */
typedef struct store_fig_row store_fig_row_t;
struct store_fig_row {
  int64_t (*i64)(const store_fig_row_t *row, int col);                      /* NULL reads 0 */
  void (*text)(const store_fig_row_t *row, int col, char *out, size_t cap); /* NULL reads "" */
};
/* Non-zero stops the rows. */
typedef int (*store_fig_row_cb)(const store_fig_row_t *row, void *arg);

typedef struct store_fig_engine {
  void *ctx; /* the engine's connection or store */
  /* Run sql with the four values, row(...) for each row until it answers
   * non-zero. 0 or a negative error. */
  int (*each)(void *ctx, const char *sql, const int64_t v[4], store_fig_row_cb row, void *arg);
} store_fig_engine_t;

/* mash_store_ops_figures over an engine: *out filled (cleared first); 0 or
 * the first error (the figures read before it stay). */
int store_figures_ops(const store_fig_engine_t *e, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      int64_t screening_ms, mash_ops_figures_t *out);

#endif
