/* wire: checks made on a frame's bytes, beside what protobuf-c decodes.
 *
 * Responsible for: reading an envelope's message id from bytes that did not
 * decode (so that a refusal can name the message it answers), and finding
 * strings with an embedded NUL byte, which protobuf-c unpacks into C strings
 * cut at the NUL: a name "Ann\0e" would be stored as "Ann". The walk follows
 * the schema's descriptors over the wire bytes, so every string field at any
 * depth is seen with its length on the wire.
 * Must not: allocate, log, do I/O, or trust a length before comparing it with
 * the bytes left. Thread-safe (no state). The schema has no recursive
 * messages, so the depth of the walk is bounded by the schema (and checked).
 */
#include "validate_int.h"

#include <string.h>

#define S_MAX_DEPTH 16
#define S_MAX_FIELDS 64 /* occurrences counted per field, for item indexes */

/* Read a varint at *p (< end). Returns 0, or -1 when truncated or longer
 * than ten bytes. */
static int s_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  uint64_t r = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    if (*p >= end) {
      return -1;
    }
    uint8_t b = *(*p)++;
    r |= (uint64_t)(b & 0x7Fu) << shift;
    if (!(b & 0x80u)) {
      *v = r;
      return 0;
    }
  }
  return -1;
}

/* Skip the value of a field of wire type `wt` and return where its bytes
 * start and how many there are (length-delimited only). -1 on a malformed or
 * unsupported (group) value. */
static int s_value(const uint8_t **p, const uint8_t *end, unsigned wt, const uint8_t **data,
                   size_t *len) {
  uint64_t v;
  *data = NULL;
  *len = 0;
  switch (wt) {
  case 0:
    return s_varint(p, end, &v);
  case 1:
    if (end - *p < 8) {
      return -1;
    }
    *p += 8;
    return 0;
  case 5:
    if (end - *p < 4) {
      return -1;
    }
    *p += 4;
    return 0;
  case 2:
    if (s_varint(p, end, &v) != 0 || v > (uint64_t)(end - *p)) {
      return -1;
    }
    *data = *p;
    *len = (size_t)v;
    *p += v;
    return 0;
  default:
    return -1;
  }
}

int mash_codec_peek_message_id(const uint8_t *buf, size_t len, char *out, size_t outlen) {
  if (outlen == 0) {
    return -EINVAL;
  }
  out[0] = '\0';
  const uint8_t *p = buf, *end = buf ? buf + len : NULL;
  while (p && p < end) {
    uint64_t key;
    const uint8_t *data;
    size_t n;
    if (s_varint(&p, end, &key) != 0 || s_value(&p, end, (unsigned)(key & 7u), &data, &n) != 0) {
      return -ENOENT;
    }
    if ((key >> 3) != 1 || (key & 7u) != 2) {
      continue;
    }
    if (n == 0 || n > MASH_MAX_ID_LEN || n >= outlen) {
      return -ENOENT;
    }
    for (size_t i = 0; i < n; i++) {
      unsigned char c = data[i];
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == ':')) {
        return -ENOENT;
      }
    }
    memcpy(out, data, n);
    out[n] = '\0';
    return 0; /* the last occurrence wins in protobuf; ids are sent once */
  }
  return -ENOENT;
}

/* The field numbered `id` of d (binary search in protobuf-c), and its index. */
static const ProtobufCFieldDescriptor *s_field(const ProtobufCMessageDescriptor *d, uint64_t id,
                                               unsigned *index) {
  if (id == 0 || id > 0x1FFFFFFFu) {
    return NULL;
  }
  const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(d, (unsigned)id);
  if (fd) {
    *index = (unsigned)(fd - d->fields);
  }
  return fd;
}

/* Walk one message's bytes: report each string holding a NUL, recurse into
 * sub-messages. Returns -1 when the bytes are not well formed (decoding has
 * already accepted them, so this does not happen for a decoded frame). */
static int s_walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end,
                  const mash_vld_path_t *at, unsigned depth, mash_errors_t *errs) {
  if (depth > S_MAX_DEPTH) {
    return -1;
  }
  size_t seen[S_MAX_FIELDS];
  memset(seen, 0, sizeof seen);
  while (p < end) {
    uint64_t key;
    const uint8_t *data;
    size_t n;
    if (s_varint(&p, end, &key) != 0 || s_value(&p, end, (unsigned)(key & 7u), &data, &n) != 0) {
      return -1;
    }
    unsigned fi = 0;
    const ProtobufCFieldDescriptor *fd = s_field(d, key >> 3, &fi);
    if (!fd || (key & 7u) != 2) {
      continue; /* unknown fields are tolerated; scalars hold no strings */
    }
    size_t item = fi < S_MAX_FIELDS ? seen[fi]++ : 0;
    const mash_vld_path_t *here = fd->label == PROTOBUF_C_LABEL_REPEATED
                                      ? PATH_ITEM(at, fd->name, item)
                                      : PATH_FIELD(at, fd->name);
    if (fd->type == PROTOBUF_C_TYPE_STRING) {
      const uint8_t *nul = memchr(data, 0, n);
      if (nul) {
        mash_vld_fail(errs, here,
                      "holds a NUL byte at offset %zu: text must not contain NUL (it would be "
                      "cut there)",
                      (size_t)(nul - data));
      }
    } else if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
      if (s_walk(fd->descriptor, data, data + n, here, depth + 1, errs) != 0) {
        return -1;
      }
    }
  }
  return 0;
}

int mash_codec_check_strings(const uint8_t *buf, size_t len, mash_errors_t *errs) {
  mash_errors_t scratch;
  mash_errors_t *e = mash_vld_errors_or_scratch(errs, &scratch);
  size_t before = mash_vld_error_total(e);
  if (buf == NULL || len == 0) {
    return 0;
  }
  if (s_walk(&mash__v1__envelope__descriptor, buf, buf + len, NULL, 0, e) != 0) {
    mash_errors_add(e, "frame", "is not a valid mash.v1 Envelope");
    return -EINVAL;
  }
  return mash_vld_error_total(e) != before ? -EINVAL : 0;
}
