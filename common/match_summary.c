/* match_summary: a person record's comparison summary: what the matcher
 * compares, already normalised, in a few bytes.
 *
 * Responsible for: writing a mash_match_person_t (names folded, their
 * phonetic keys, date of birth, sex, postcode, address, identifiers with
 * their check verdicts, other spellings and dates of birth) as a compact
 * byte string, and reading one back into exactly the struct it was written
 * from, so that a candidate is scored without unpacking its protobuf record
 * or normalising anything. The store keeps the bytes sealed beside the
 * record (resolve.c writes them; match.h, "Comparison summaries").
 * Must not: allocate, log, or trust its input: a summary is read only after
 * the seal authenticated it, yet every length is still bounded. Any thread.
 *
 * Layout (version 1; every string a length byte and that many bytes, no NUL):
 *   version (1), forename, surname, forename key, surname key, ref,
 *   postcode, address, dob year (2 bytes, little-endian), month, day, sex,
 *   id count, then per identifier: kind, valid, value, issuer;
 *   other spelling count, then per spelling: name, key;
 *   other date count, then per date: year (2 bytes), month, day.
 * Term frequencies and the role are not kept: a stored record's term
 * frequencies are never set (match.h), and its role is the store's is_child.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "match.h"

#define SUMMARY_VERSION 1u

typedef struct s_out {
  uint8_t *buf;
  size_t cap, used;
  bool full;
} s_out_t;

static void s_byte(s_out_t *o, unsigned v) {
  if (o->used < o->cap) {
    o->buf[o->used++] = (uint8_t)v;
  } else {
    o->full = true;
  }
}

static void s_u16(s_out_t *o, int v) {
  s_byte(o, (unsigned)v & 0xffu);
  s_byte(o, ((unsigned)v >> 8) & 0xffu);
}

/* A string of a fixed-size field: its length (below the field's size, so
 * below 256 for every field of the struct) and its bytes. */
static void s_str(s_out_t *o, const char *s, size_t field) {
  size_t len = strnlen(s, field - 1);
  s_byte(o, (unsigned)len);
  if (o->used + len <= o->cap) {
    memcpy(o->buf + o->used, s, len);
    o->used += len;
  } else {
    o->full = true;
  }
}

int mash_match_summary_write(const mash_match_person_t *p, uint8_t *out, size_t cap) {
  if (p == NULL || out == NULL) {
    return -EINVAL;
  }
  s_out_t o = {out, cap, 0, false};
  s_byte(&o, SUMMARY_VERSION);
  s_str(&o, p->forename, sizeof p->forename);
  s_str(&o, p->surname, sizeof p->surname);
  s_str(&o, p->forename_key, sizeof p->forename_key);
  s_str(&o, p->surname_key, sizeof p->surname_key);
  s_str(&o, p->ref, sizeof p->ref);
  s_str(&o, p->postcode, sizeof p->postcode);
  s_str(&o, p->address, sizeof p->address);
  s_u16(&o, p->dob_year);
  s_byte(&o, (unsigned)p->dob_month);
  s_byte(&o, (unsigned)p->dob_day);
  s_byte(&o, (unsigned)p->sex);
  size_t n_ids = p->n_ids < MASH_MATCH_MAX_IDS ? p->n_ids : MASH_MATCH_MAX_IDS;
  s_byte(&o, (unsigned)n_ids);
  for (size_t i = 0; i < n_ids; i++) {
    s_byte(&o, (unsigned)p->ids[i].kind);
    s_byte(&o, p->ids[i].valid ? 1u : 0u);
    s_str(&o, p->ids[i].value, sizeof p->ids[i].value);
    s_str(&o, p->ids[i].issuer, sizeof p->ids[i].issuer);
  }
  size_t n_other =
      p->n_other_forenames < MASH_MATCH_MAX_OTHER ? p->n_other_forenames : MASH_MATCH_MAX_OTHER;
  s_byte(&o, (unsigned)n_other);
  for (size_t i = 0; i < n_other; i++) {
    s_str(&o, p->other_forenames[i], sizeof p->other_forenames[i]);
    s_str(&o, p->other_forename_keys[i], sizeof p->other_forename_keys[i]);
  }
  size_t n_dobs = p->n_other_dobs < MASH_MATCH_MAX_DOBS ? p->n_other_dobs : MASH_MATCH_MAX_DOBS;
  s_byte(&o, (unsigned)n_dobs);
  for (size_t i = 0; i < n_dobs; i++) {
    s_u16(&o, p->other_dobs[i][0]);
    s_byte(&o, (unsigned)p->other_dobs[i][1]);
    s_byte(&o, (unsigned)p->other_dobs[i][2]);
  }
  return o.full ? -ENOSPC : (int)o.used;
}

typedef struct s_in {
  const uint8_t *buf;
  size_t len, at;
  bool bad;
} s_in_t;

static unsigned s_get(s_in_t *in) {
  if (in->at < in->len) {
    return in->buf[in->at++];
  }
  in->bad = true;
  return 0;
}

static int s_get_u16(s_in_t *in) {
  unsigned lo = s_get(in);
  return (int)(lo | (s_get(in) << 8));
}

/* Into a field of `field` bytes (NUL-terminated; the rest stays zero). */
static void s_get_str(s_in_t *in, char *dst, size_t field) {
  size_t len = s_get(in);
  if (in->bad || len >= field || len > in->len - in->at) {
    in->bad = true;
    return;
  }
  memcpy(dst, in->buf + in->at, len);
  in->at += len;
}

int mash_match_summary_read(mash_match_person_t *p, const uint8_t *in, size_t len) {
  if (p == NULL || (in == NULL && len > 0)) {
    return -EINVAL;
  }
  memset(p, 0, sizeof *p);
  s_in_t r = {in, len, 0, false};
  if (s_get(&r) != SUMMARY_VERSION) {
    memset(p, 0, sizeof *p);
    return -EBADMSG;
  }
  s_get_str(&r, p->forename, sizeof p->forename);
  s_get_str(&r, p->surname, sizeof p->surname);
  s_get_str(&r, p->forename_key, sizeof p->forename_key);
  s_get_str(&r, p->surname_key, sizeof p->surname_key);
  s_get_str(&r, p->ref, sizeof p->ref);
  s_get_str(&r, p->postcode, sizeof p->postcode);
  s_get_str(&r, p->address, sizeof p->address);
  p->dob_year = s_get_u16(&r);
  p->dob_month = (int)s_get(&r);
  p->dob_day = (int)s_get(&r);
  p->sex = (Mash__V1__Sex)s_get(&r);
  p->n_ids = s_get(&r);
  r.bad = r.bad || p->n_ids > MASH_MATCH_MAX_IDS;
  for (size_t i = 0; !r.bad && i < p->n_ids; i++) {
    p->ids[i].kind = (Mash__V1__IdentifierKind)s_get(&r);
    p->ids[i].valid = s_get(&r) != 0;
    s_get_str(&r, p->ids[i].value, sizeof p->ids[i].value);
    s_get_str(&r, p->ids[i].issuer, sizeof p->ids[i].issuer);
  }
  p->n_other_forenames = r.bad ? 0 : s_get(&r);
  r.bad = r.bad || p->n_other_forenames > MASH_MATCH_MAX_OTHER;
  for (size_t i = 0; !r.bad && i < p->n_other_forenames; i++) {
    s_get_str(&r, p->other_forenames[i], sizeof p->other_forenames[i]);
    s_get_str(&r, p->other_forename_keys[i], sizeof p->other_forename_keys[i]);
  }
  p->n_other_dobs = r.bad ? 0 : s_get(&r);
  r.bad = r.bad || p->n_other_dobs > MASH_MATCH_MAX_DOBS;
  for (size_t i = 0; !r.bad && i < p->n_other_dobs; i++) {
    p->other_dobs[i][0] = s_get_u16(&r);
    p->other_dobs[i][1] = (int)s_get(&r);
    p->other_dobs[i][2] = (int)s_get(&r);
  }
  if (r.bad || r.at != r.len) {
    memset(p, 0, sizeof *p);
    return -EBADMSG;
  }
  return 0;
}
