/* codec: encode and decode mash.v1 messages, and the field-error list.
 *
 * Responsible for: turning frames into Envelopes (decoding into one arena per
 * frame) and Envelopes back into frames, filling envelope headers, and adding
 * errors to a mash_errors_t. Validation of what was decoded lives in
 * validate.c. Must not: do any I/O, log, allocate outside protobuf-c's unpack
 * (its arena) and the encode buffer, or keep state (all functions are
 * thread-safe).
 */
#include "codec.h"
#include "codec_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ errors */

void mash_errors_add(mash_errors_t *errs, const char *field, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  s_errors_vadd(errs, field, fmt, ap);
  va_end(ap);
}

/* ------------------------------------------------------- decode / encode */

/* Decoding allocates every string and sub-message of an envelope: dozens of
 * small mallocs per frame on the broker's hot path. They all come from one
 * arena instead, freed at once by mash_codec_free. The envelope is the
 * arena's first allocation (protobuf-c allocates the top-level message
 * first), so the arena is found in front of it. */
typedef struct s_arena_block {
  struct s_arena_block *next;
  size_t cap, used;
} s_arena_block_t;

typedef struct s_arena {
  s_arena_block_t *cur;  /* where allocations come from now */
  s_arena_block_t first; /* followed by its data */
} s_arena_t;

#define S_ARENA_ALIGN ((size_t)16)
#define S_ARENA_ROUND(n) (((n) + S_ARENA_ALIGN - 1) & ~(S_ARENA_ALIGN - 1))
#define S_ARENA_HEAD S_ARENA_ROUND(sizeof(s_arena_t))
#define S_BLOCK_HEAD S_ARENA_ROUND(sizeof(s_arena_block_t))

static void *s_arena_alloc(void *data, size_t size) {
  s_arena_t *a = data;
  size = S_ARENA_ROUND(size ? size : 1);
  s_arena_block_t *b = a->cur;
  if (b->cap - b->used < size) {
    size_t cap = size > 8192 ? size : 8192;
    s_arena_block_t *nb = malloc(S_BLOCK_HEAD + cap);
    if (nb == NULL) {
      return NULL;
    }
    nb->cap = cap;
    nb->used = 0;
    nb->next = a->first.next;
    a->first.next = nb;
    a->cur = b = nb;
  }
  uint8_t *base = b == &a->first ? (uint8_t *)a + S_ARENA_HEAD : (uint8_t *)b + S_BLOCK_HEAD;
  void *p = base + b->used;
  b->used += size;
  return p;
}

static void s_arena_free_one(void *data, void *p) {
  (void)data;
  (void)p; /* everything goes at once, in mash_codec_free */
}

static void s_arena_release(s_arena_t *a) {
  s_arena_block_t *b = a->first.next;
  while (b != NULL) {
    s_arena_block_t *next = b->next;
    free(b);
    b = next;
  }
  free(a);
}

/* Whether `m` or any message inside it kept an unknown field numbered 0.
 * protobuf-c (1.4) accepts such a field when its tag is written in more
 * bytes than needed ("82 00"), keeps it as an unknown field, and packs it
 * again as a one-byte tag that it then refuses. Field number 0 is not valid
 * protobuf, and a frame accepted with one would be stored and acknowledged,
 * then re-encoded into a contact or pack no reader can decode. Unknown fields
 * are otherwise tolerated. The schema has no recursive messages, so the
 * depth is bounded by the schema. */
static int s_has_field_zero(const ProtobufCMessage *m) {
  for (unsigned i = 0; i < m->n_unknown_fields; i++) {
    if (m->unknown_fields[i].tag == 0) {
      return 1;
    }
  }
  const ProtobufCMessageDescriptor *d = m->descriptor;
  const uint8_t *base = (const uint8_t *)m;
  for (unsigned f = 0; f < d->n_fields; f++) {
    const ProtobufCFieldDescriptor *fd = &d->fields[f];
    if (fd->type != PROTOBUF_C_TYPE_MESSAGE) {
      continue;
    }
    if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *(const uint32_t *)(base + fd->quantifier_offset) != fd->id) {
      continue; /* the union holds another member */
    }
    if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *(const size_t *)(base + fd->quantifier_offset);
      ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)(base + fd->offset);
      for (size_t k = 0; k < n; k++) {
        if (items[k] != NULL && s_has_field_zero(items[k])) {
          return 1;
        }
      }
    } else {
      const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)(base + fd->offset);
      if (sub != NULL && s_has_field_zero(sub)) {
        return 1;
      }
    }
  }
  return 0;
}

static Mash__V1__Envelope *s_decode(const uint8_t *buf, size_t len, size_t max,
                                    mash_errors_t *errs) {
  if (buf == NULL || len == 0) {
    mash_errors_add(errs, "frame", "is empty");
    return NULL;
  }
  if (len > max) {
    mash_errors_add(errs, "frame", "is %zu bytes, larger than %zu", len, max);
    return NULL;
  }
  /* Decoded structures take a few times the wire size; more comes in blocks. */
  size_t cap = S_ARENA_ROUND(len * 3 + 1024);
  s_arena_t *a = malloc(S_ARENA_HEAD + cap);
  if (a == NULL) {
    mash_errors_add(errs, "frame", "cannot be decoded: out of memory");
    return NULL;
  }
  a->cur = &a->first;
  a->first.next = NULL;
  a->first.cap = cap;
  a->first.used = 0;
  ProtobufCAllocator alloc = {s_arena_alloc, s_arena_free_one, a};
  Mash__V1__Envelope *env = mash__v1__envelope__unpack(&alloc, len, buf);
  if (env == NULL) {
    s_arena_release(a);
    mash_errors_add(errs, "frame", "is not a valid mash.v1 Envelope");
    return NULL;
  }
  if ((uint8_t *)env != (uint8_t *)a + S_ARENA_HEAD) {
    /* Not the layout this relies on: refuse rather than free wrongly later. */
    s_arena_release(a);
    mash_errors_add(errs, "frame", "cannot be decoded by this protobuf-c");
    return NULL;
  }
  if (s_has_field_zero(&env->base)) {
    s_arena_release(a);
    mash_errors_add(errs, "frame", "is not a valid mash.v1 Envelope: a field numbered 0");
    return NULL;
  }
  return env;
}

Mash__V1__Envelope *mash_codec_decode(const uint8_t *buf, size_t len, mash_errors_t *errs) {
  return s_decode(buf, len, MASH_MAX_FRAME, errs);
}

Mash__V1__Envelope *mash_codec_decode_whole(const uint8_t *buf, size_t len, mash_errors_t *errs) {
  return s_decode(buf, len, MASH_MAX_WHOLE, errs);
}

void mash_codec_free(Mash__V1__Envelope *env) {
  if (env != NULL) {
    s_arena_release((s_arena_t *)((uint8_t *)env - S_ARENA_HEAD));
  }
}

int mash_codec_encode(const Mash__V1__Envelope *env, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  size_t size = mash__v1__envelope__get_packed_size(env);
  if (size > MASH_MAX_FRAME) {
    return -EMSGSIZE;
  }
  /* An empty envelope packs to zero bytes; malloc(0) may return NULL. */
  uint8_t *buf = malloc(size > 0 ? size : 1);
  if (buf == NULL) {
    return -ENOMEM;
  }
  size_t packed = mash__v1__envelope__pack(env, buf);
  if (packed != size) {
    free(buf);
    return -EMSGSIZE;
  }
  *out = buf;
  *out_len = size;
  return 0;
}

void mash_codec_parts_free(uint8_t **parts, size_t *part_lens, size_t n_parts) {
  for (size_t i = 0; parts && i < n_parts; i++) {
    free(parts[i]);
  }
  free(parts);
  free(part_lens);
}

int mash_codec_encode_parts(const Mash__V1__Envelope *env, uint8_t ***parts, size_t **part_lens,
                            size_t *n_parts) {
  *parts = NULL;
  *part_lens = NULL;
  *n_parts = 0;
  size_t size = mash__v1__envelope__get_packed_size(env);
  if (size > MASH_MAX_WHOLE) {
    return -EMSGSIZE;
  }
  size_t n = size <= MASH_MAX_FRAME ? 1 : (size + MASH_PART_DATA - 1) / MASH_PART_DATA;
  uint8_t *whole = malloc(size > 0 ? size : 1);
  uint8_t **out = calloc(n, sizeof *out);
  size_t *lens = calloc(n, sizeof *lens);
  int rc = -ENOMEM;
  if (!whole || !out || !lens) {
    goto out;
  }
  if (mash__v1__envelope__pack(env, whole) != size) {
    rc = -EMSGSIZE;
    goto out;
  }
  if (n == 1) {
    out[0] = whole;
    lens[0] = size;
    whole = NULL;
    rc = 0;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    char id[MASH_MAX_ID_LEN + 1];
    snprintf(id, sizeof id, "%s.%zu", env->message_id, i);
    Mash__V1__Envelope pe = MASH__V1__ENVELOPE__INIT;
    Mash__V1__Part part = MASH__V1__PART__INIT;
    part.whole_id = env->message_id;
    part.index = (uint32_t)i;
    part.count = (uint32_t)n;
    part.total_bytes = size;
    part.offset = (uint64_t)i * MASH_PART_DATA;
    part.data.data = whole + part.offset;
    part.data.len = i + 1 < n ? MASH_PART_DATA : size - part.offset;
    mash_envelope_init(&pe, id, env->sent_at_ms);
    pe.body_case = MASH__V1__ENVELOPE__BODY_PART;
    pe.part = &part;
    rc = mash_codec_encode(&pe, &out[i], &lens[i]);
    if (rc != 0) {
      goto out;
    }
  }
  rc = 0;
out:
  free(whole);
  if (rc == 0) {
    *parts = out;
    *part_lens = lens;
    *n_parts = n;
  } else {
    mash_codec_parts_free(out, lens, out ? n : 0);
  }
  return rc;
}

void mash_envelope_init(Mash__V1__Envelope *env, const char *message_id, int64_t sent_at_ms) {
  /* Only the header: the caller has set (or will set) the body and the
   * correlation id, and initialised the struct with MASH__V1__ENVELOPE__INIT. */
  if (message_id != NULL) {
    env->message_id = (char *)message_id;
  }
  env->sent_at_ms = sent_at_ms;
  env->schema_version = MASH_SCHEMA_VERSION;
}

static size_t s_varint(uint8_t *out, uint64_t v) {
  size_t n = 0;
  do {
    uint8_t b = (uint8_t)(v & 0x7Fu);
    v >>= 7;
    out[n++] = (uint8_t)(b | (v ? 0x80u : 0u));
  } while (v);
  return n;
}

int mash_codec_encode_contact_delivery(const char *message_id, int64_t sent_at_ms,
                                       const uint8_t *contact, size_t len, const char *contact_id,
                                       uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, message_id, sent_at_ms);
  size_t head = mash__v1__envelope__get_packed_size(&env);
  size_t idlen = strlen(contact_id);
  uint8_t idv[10], clv[10];
  size_t idvn = s_varint(idv, idlen);
  size_t clen = len + 1 + idvn + idlen; /* the contact with field 1 appended */
  size_t clvn = s_varint(clv, clen);
  size_t total = head + 1 + clvn + clen;
  if (total > MASH_MAX_FRAME) {
    return -EMSGSIZE;
  }
  uint8_t *buf = malloc(total);
  if (!buf) {
    return -ENOMEM;
  }
  size_t o = mash__v1__envelope__pack(&env, buf);
  buf[o++] = (14u << 3) | 2u; /* Envelope.contact, length-delimited */
  memcpy(buf + o, clv, clvn);
  o += clvn;
  memcpy(buf + o, contact, len);
  o += len;
  buf[o++] = (1u << 3) | 2u; /* Contact.contact_id */
  memcpy(buf + o, idv, idvn);
  o += idvn;
  memcpy(buf + o, contact_id, idlen);
  o += idlen;
  *out = buf;
  *out_len = o;
  return 0;
}
