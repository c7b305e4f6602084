/* parts: reassembly of envelopes delivered in parts. See parts.h.
 * Must not: acknowledge, decode or log child data. Loop thread only.
 *
 * Held in memory only, on purpose: nothing is acknowledged before the whole
 * is handled, so after a crash or restart the broker sends every part again
 * (tests/integration/test_parts_restart.sh kills the desk mid-pack and finds
 * the pack delivered once and whole). Persisting parts would add a write per
 * part for no message that could be lost. */
#include "parts.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct agent_parts {
  agent_whole_t *w[AGENT_PARTS_WHOLES];
  /* Fault injection for the tests (never set in production): with
   * MASH_FAULT_PARTS_CRASH=K the process kills itself (SIGKILL) when it
   * holds K parts of a whole not yet complete. 0: off. */
  unsigned long crash_at;
};

static void s_whole_free(agent_whole_t *w) {
  if (w) {
    free(w->data);
    free(w->part_ids);
    free(w->have);
    free(w);
  }
}

agent_parts_t *agent_parts_new(void) {
  agent_parts_t *p = calloc(1, sizeof(agent_parts_t));
  const char *crash = getenv("MASH_FAULT_PARTS_CRASH");
  if (p && crash && crash[0]) {
    p->crash_at = strtoul(crash, NULL, 10);
  }
  return p;
}

void agent_parts_destroy(agent_parts_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  for (size_t i = 0; i < AGENT_PARTS_WHOLES; i++) {
    s_whole_free((*self_p)->w[i]);
  }
  free(*self_p);
  *self_p = NULL;
}

size_t agent_parts_pending(const agent_parts_t *p) {
  size_t n = 0;
  for (size_t i = 0; i < AGENT_PARTS_WHOLES; i++) {
    n += p->w[i] != NULL;
  }
  return n;
}

static agent_whole_t *s_whole_new(const Mash__V1__Part *part, int64_t now_ms) {
  agent_whole_t *w = calloc(1, sizeof *w);
  if (!w) {
    return NULL;
  }
  snprintf(w->whole_id, sizeof w->whole_id, "%s", part->whole_id);
  w->count = part->count;
  w->total = part->total_bytes;
  w->first_ms = now_ms;
  w->data = malloc(part->total_bytes);
  w->part_ids = calloc(part->count, sizeof *w->part_ids);
  w->have = calloc(part->count, 1);
  if (!w->data || !w->part_ids || !w->have) {
    s_whole_free(w);
    return NULL;
  }
  return w;
}

/* The slot of whole_id, or a free one, or the oldest (its whole dropped:
 * its parts are delivered again). */
static size_t s_slot(agent_parts_t *p, const char *whole_id) {
  size_t free_slot = AGENT_PARTS_WHOLES, oldest = 0;
  for (size_t i = 0; i < AGENT_PARTS_WHOLES; i++) {
    if (!p->w[i]) {
      free_slot = free_slot == AGENT_PARTS_WHOLES ? i : free_slot;
      continue;
    }
    if (strcmp(p->w[i]->whole_id, whole_id) == 0) {
      return i;
    }
    if (p->w[oldest] == NULL || p->w[i]->first_ms < p->w[oldest]->first_ms) {
      oldest = i;
    }
  }
  if (free_slot != AGENT_PARTS_WHOLES) {
    return free_slot;
  }
  mash_warn_limited("message %s dropped half received (%u of %u parts) for a newer one; "
                    "its parts come again",
                    p->w[oldest]->whole_id, p->w[oldest]->n_have, p->w[oldest]->count);
  s_whole_free(p->w[oldest]);
  p->w[oldest] = NULL;
  return oldest;
}

agent_whole_t *agent_parts_add(agent_parts_t *p, const char *part_id, const Mash__V1__Part *part,
                               int64_t now_ms) {
  size_t i = s_slot(p, part->whole_id);
  agent_whole_t *w = p->w[i];
  if (w && (w->count != part->count || w->total != part->total_bytes)) {
    mash_warn_limited("message %s: part %s disagrees with the parts before it; starting again",
                      w->whole_id, part_id);
    s_whole_free(w);
    w = p->w[i] = NULL;
  }
  if (!w) {
    w = p->w[i] = s_whole_new(part, now_ms);
    if (!w) {
      mash_warn_limited("message %s: out of memory for %llu bytes; its parts come again",
                        part->whole_id, (unsigned long long)part->total_bytes);
      return NULL;
    }
  }
  if (w->have[part->index]) {
    return NULL; /* a repeat */
  }
  /* mash_vld_part checked offset + len <= total. */
  memcpy(w->data + part->offset, part->data.data, part->data.len);
  snprintf(w->part_ids[part->index], sizeof w->part_ids[0], "%s", part_id);
  w->have[part->index] = 1;
  w->n_have++;
  if (w->n_have < w->count) {
    if (p->crash_at && w->n_have == p->crash_at) {
      fprintf(stderr, "MASH_FAULT_PARTS_CRASH: killed holding %u of %u parts of %s\n", w->n_have,
              w->count, w->whole_id);
      raise(SIGKILL);
    }
    return NULL;
  }
  return w;
}

void agent_parts_done(agent_parts_t *p, agent_whole_t *w) {
  for (size_t i = 0; i < AGENT_PARTS_WHOLES; i++) {
    if (p->w[i] == w) {
      p->w[i] = NULL;
    }
  }
  s_whole_free(w);
}
