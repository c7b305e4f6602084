/* parts: reassembly of envelopes delivered in parts (mash.v1 Part).
 *
 * Responsible for: keeping the parts of a few wholes in memory until every
 * part of one has come, and giving back the whole's bytes with the message
 * ids of its parts. Nothing is acknowledged by this module: the runtime
 * acknowledges every part only once the whole is handled, so parts lost in a
 * restart are delivered again. Bounded: at most AGENT_PARTS_WHOLES wholes at
 * once (the oldest unfinished is dropped for a new one, and is resent), each
 * at most MASH_MAX_WHOLE bytes. Must not: decode the whole, or log child
 * data (ids and counts only). Loop thread only.
 */
#ifndef MASH_AGENT_PARTS_H
#define MASH_AGENT_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define AGENT_PARTS_WHOLES 4

typedef struct agent_parts agent_parts_t;

/* A complete whole, as agent_parts_add returns it (read only). */
typedef struct agent_whole {
  char whole_id[MASH_MAX_ID_LEN + 1];
  uint32_t count;
  uint64_t total;
  uint8_t *data;                         /* total bytes */
  char (*part_ids)[MASH_MAX_ID_LEN + 1]; /* count message ids, by index */
  uint8_t *have;                         /* count flags */
  uint32_t n_have;
  int64_t first_ms; /* when its first part came */
} agent_whole_t;

agent_parts_t *agent_parts_new(void);
void agent_parts_destroy(agent_parts_t **self_p);

/* Keep one part (message id part_id, validated by mash_codec_validate_envelope).
 * Returns the whole when this part completed it (owned by the table until
 * agent_parts_done), else NULL: waiting for more, a repeat, or a part that
 * does not agree with the others of its whole (that whole starts again). */
agent_whole_t *agent_parts_add(agent_parts_t *p, const char *part_id, const Mash__V1__Part *part,
                               int64_t now_ms);

/* Forget a whole returned by agent_parts_add. */
void agent_parts_done(agent_parts_t *p, agent_whole_t *w);

/* Wholes waiting for parts. */
size_t agent_parts_pending(const agent_parts_t *p);

#endif
