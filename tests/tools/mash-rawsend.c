/* mash-rawsend: a test tool that sends frames to mashd as a given CURVE key
 * (or a fresh unknown one) and prints what comes back. Integration tests use
 * it for hostile input, unknown keys and impersonation. Not installed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "codec.h"
#include "keys.h"
#include "police_json.h"
#include "uuid.h"

static void s_usage(FILE *f) {
  fprintf(
      f,
      "usage: mash-rawsend --endpoint EP --server-key FILE (--key FILE | --random-key)\n"
      "                    [--frame FILE]... [--answer REQUEST_ID | --screen-no-consent CONTACT]\n"
      "                    [--message-id ID] [--heartbeat-size BYTES]\n"
      "                    [--timeout MS] [--correlation]\n"
      "Sends each FILE's bytes as one frame (none: a heartbeat), then prints one line\n"
      "per reply: 'receipt STATUS CONTACT [FIELD: MESSAGE]...', 'error CODE MESSAGE',\n"
      "'heartbeat' or 'undecodable'. Prints 'no reply' when none came in time.\n"
      "--notification-size BYTES sends a valid notification of at most BYTES\n"
      "(within a person's size of it).\n"
      "--heartbeat-size pads the heartbeat (message id --message-id) with an unknown\n"
      "field to exactly BYTES bytes. --correlation ends each reply line with\n"
      "' corr=ID' (the reply's correlation id, '-' when empty).\n"
      "Exit 0 when every frame got a reply, 3 otherwise.\n"
      "\n"
      "mash-rawsend --encode-police FILE --out FRAME writes the frame mash-police sends\n"
      "for police JSON FILE (the same message id, from its content), prints that id\n"
      "and exits: the adapters drop a frame from their outbox once it is receipted.\n");
}

static int s_show_corr;

static void s_corr(const Mash__V1__Envelope *env) {
  if (s_show_corr) {
    printf(" corr=%s", env->correlation_id[0] ? env->correlation_id : "-");
  }
}

/* A heartbeat envelope padded with an unknown field (number 999) to exactly
 * `size` bytes, or NULL when `size` is too small. */
static uint8_t *s_padded_heartbeat(const char *message_id, size_t size) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  hb.agent = (char *)"mash-rawsend";
  mash_envelope_init(&env, message_id, 1);
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  size_t base = mash__v1__envelope__get_packed_size(&env);
  for (size_t vlen = 1; vlen <= 4; vlen++) {
    if (size < base + 2 + vlen) {
      return NULL;
    }
    size_t pad = size - base - 2 - vlen;
    size_t need = 1;
    for (size_t v = pad; v >= 0x80; v >>= 7) {
      need++;
    }
    if (need != vlen) {
      continue;
    }
    uint8_t *buf = malloc(size);
    size_t o = mash__v1__envelope__pack(&env, buf);
    buf[o++] = (uint8_t)(((999u << 3) | 2u) & 0x7Fu) | 0x80u;
    buf[o++] = (uint8_t)((999u << 3) >> 7);
    size_t v = pad;
    while (v >= 0x80) {
      buf[o++] = (uint8_t)(v & 0x7Fu) | 0x80u;
      v >>= 7;
    }
    buf[o++] = (uint8_t)v;
    memset(buf + o, 'x', pad);
    return buf;
  }
  return NULL;
}

/* A valid notification frame of at most `size` bytes and within a few
 * hundred bytes of it: people (up to 32 children and 32 adults) with every
 * text field long but within its limit, the last one cut to fit. NULL when
 * `size` is out of reach. The message id is `message_id`. */
#define S_BIG_PEOPLE 64
static uint8_t *s_big_notification(const char *message_id, size_t size, size_t *out_len) {
  static char text[257], idv[65];
  memset(text, 'a', 256);
  memset(idv, '7', 64);
  static Mash__V1__Person people[S_BIG_PEOPLE], *children[32], *adults[32];
  static Mash__V1__Identifier ids[S_BIG_PEOPLE][8], *idp[S_BIG_PEOPLE][8];
  static Mash__V1__Address addr[S_BIG_PEOPLE];
  static char *lines[6];
  static char refs[S_BIG_PEOPLE][8];
  for (int l = 0; l < 6; l++) {
    lines[l] = text;
  }
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  mash_envelope_init(&env, message_id, 1);
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = &n;
  n.source_reference = (char *)message_id;
  n.concern = (char *)"A large notification for a size test.";
  n.concern_category = 1;
  n.children = children;
  n.adults = adults;
  for (int i = 0; i < S_BIG_PEOPLE; i++) {
    Mash__V1__Person *p = &people[i];
    mash__v1__person__init(p);
    snprintf(refs[i], sizeof refs[i], "%c%d", i < 32 ? 'c' : 'a', i % 32);
    p->ref = refs[i];
    p->given_name = p->family_name = p->role = text;
    p->date_of_birth = (char *)(i < 32 ? "2015-01-01" : "1985-01-01");
    mash__v1__address__init(&addr[i]);
    addr[i].n_lines = 6;
    addr[i].lines = lines;
    addr[i].town = addr[i].postcode = text;
    p->address = &addr[i];
    for (int k = 0; k < 8; k++) {
      mash__v1__identifier__init(&ids[i][k]);
      ids[i][k].kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID;
      ids[i][k].value = idv;
      ids[i][k].issuer = idv;
      idp[i][k] = &ids[i][k];
    }
    p->n_identifiers = 8;
    p->identifiers = idp[i];
    if (i < 32) {
      children[n.n_children++] = p;
    } else {
      adults[n.n_adults++] = p;
    }
    size_t got = mash__v1__envelope__get_packed_size(&env);
    if (got > size) {
      /* Take this person out and stop: the frame is just under the size. */
      if (i < 32) {
        n.n_children--;
      } else {
        n.n_adults--;
      }
      break;
    }
  }
  if (n.n_children == 0) {
    return NULL;
  }
  *out_len = mash__v1__envelope__get_packed_size(&env);
  uint8_t *buf = malloc(*out_len);
  if (buf) {
    mash__v1__envelope__pack(&env, buf);
  }
  return buf;
}

static void s_print(const uint8_t *buf, size_t len) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env = mash_codec_decode(buf, len, &errs);
  if (!env) {
    printf("undecodable\n");
    return;
  }
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY_RECEIPT: {
    const char *st[] = {"unspecified", "accepted", "duplicate", "rejected"};
    unsigned s = (unsigned)env->receipt->status;
    printf("receipt %s %s", s < 4 ? st[s] : "?",
           env->receipt->contact_id[0] ? env->receipt->contact_id : "-");
    for (size_t i = 0; i < env->receipt->n_errors; i++) {
      printf(" [%s: %s]", env->receipt->errors[i]->field, env->receipt->errors[i]->message);
    }
    s_corr(env);
    printf("\n");
    break;
  }
  case MASH__V1__ENVELOPE__BODY_ERROR:
    printf("error %d %s", (int)env->error->code, env->error->message);
    s_corr(env);
    printf("\n");
    break;
  case MASH__V1__ENVELOPE__BODY_HEARTBEAT:
    printf("heartbeat");
    s_corr(env);
    printf("\n");
    break;
  default:
    printf("other %d\n", (int)env->body_case);
  }
  mash_codec_free(env);
}

static int s_read(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return -1;
  }
  size_t cap = MASH_MAX_FRAME * 8, n;
  *out = malloc(cap);
  n = fread(*out, 1, cap, f);
  fclose(f);
  *len = n;
  return 0;
}

/* --encode-police: the frame mash-police would send for a police file. */
static int s_encode_police(const char *in, const char *out) {
  uint8_t *text = NULL;
  size_t len = 0;
  if (s_read(in, &text, &len) != 0) {
    fprintf(stderr, "mash-rawsend: cannot read %s\n", in);
    return 2;
  }
  mash_errors_t errs, unknown;
  memset(&errs, 0, sizeof errs);
  memset(&unknown, 0, sizeof unknown);
  Mash__V1__Notification *n = police_json_parse_ex((const char *)text, len, &errs, &unknown);
  if (!n) {
    fprintf(stderr, "mash-rawsend: %s is not a valid police notification\n", in);
    free(text);
    return 2;
  }
  char id[MASH_UUID_LEN + 1];
  mash_uuid_from_content(text, len, id);
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, id, 1);
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = n;
  uint8_t *buf = NULL;
  size_t blen = 0;
  int rc = mash_codec_encode(&env, &buf, &blen) == 0 ? 0 : 2;
  police_json_free(n);
  free(text);
  FILE *f = rc == 0 ? fopen(out, "wb") : NULL;
  if (!f || fwrite(buf, 1, blen, f) != blen) {
    rc = 2;
  }
  if (f && fclose(f) != 0) {
    rc = 2;
  }
  free(buf);
  if (rc != 0) {
    fprintf(stderr, "mash-rawsend: cannot write the frame to %s\n", out);
  } else {
    printf("%s\n", id); /* the message id, as mash-police would give it */
  }
  return rc;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"encode-police", required_argument, 0, 'P'},
                                       {"out", required_argument, 0, 'o'},
                                       {"endpoint", required_argument, 0, 'e'},
                                       {"server-key", required_argument, 0, 's'},
                                       {"key", required_argument, 0, 'k'},
                                       {"random-key", no_argument, 0, 'r'},
                                       {"frame", required_argument, 0, 'f'},
                                       {"timeout", required_argument, 0, 't'},
                                       {"answer", required_argument, 0, 'a'},
                                       {"screen-no-consent", required_argument, 0, 'S'},
                                       {"message-id", required_argument, 0, 'i'},
                                       {"heartbeat-size", required_argument, 0, 'H'},
                                       {"correlation", no_argument, 0, 'C'},
                                       {"notification-size", required_argument, 0, 'N'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *endpoint = NULL, *server = NULL, *key = NULL, *frames[64];
  const char *screen = NULL;
  const char *answer = NULL, *message_id = "rawsend-message";
  int nframes = 0, random_key = 0, timeout = 3000, c;
  size_t heartbeat_size = 0, notification_size = 0;
  const char *encode = NULL, *out = NULL;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'P':
      encode = optarg;
      break;
    case 'o':
      out = optarg;
      break;
    case 'e':
      endpoint = optarg;
      break;
    case 's':
      server = optarg;
      break;
    case 'k':
      key = optarg;
      break;
    case 'r':
      random_key = 1;
      break;
    case 'f':
      if (nframes < 64)
        frames[nframes++] = optarg;
      break;
    case 't':
      timeout = (int)strtol(optarg, NULL, 10);
      break;
    case 'a':
      answer = optarg;
      break;
    case 'i':
      message_id = optarg;
      break;
    case 'S':
      screen = optarg;
      break;
    case 'H':
      heartbeat_size = (size_t)strtoul(optarg, NULL, 10);
      break;
    case 'C':
      s_show_corr = 1;
      break;
    case 'N':
      notification_size = (size_t)strtoul(optarg, NULL, 10);
      break;
    case 'h':
      s_usage(stdout);
      return 0;
    default:
      s_usage(stderr);
      return 2;
    }
  }
  if (encode || out) {
    if (!encode || !out) {
      s_usage(stderr);
      return 2;
    }
    return s_encode_police(encode, out);
  }
  if (!endpoint || !server || (!key && !random_key)) {
    s_usage(stderr);
    return 2;
  }
  char err[512];
  mash_key_t sk, mk;
  memset(&mk, 0, sizeof mk);
  if (mash_key_load(server, &sk, err, sizeof err) != 0) {
    fprintf(stderr, "mash-rawsend: %s\n", err);
    return 2;
  }
  if (random_key) {
    zmq_curve_keypair(mk.public_key, mk.secret_key);
  } else if (mash_key_load(key, &mk, err, sizeof err) != 0) {
    fprintf(stderr, "mash-rawsend: %s\n", err);
    return 2;
  }
  void *ctx = zmq_ctx_new();
  void *s = zmq_socket(ctx, ZMQ_DEALER);
  int zero = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, sk.public_key, 40);
  zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, mk.public_key, 40);
  zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, mk.secret_key, 40);
  zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
  zmq_connect(s, endpoint);
  int expected = nframes ? nframes : 1;
  if (screen) {
    /* A screening decision (red, ask police) with no consent record. */
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    Mash__V1__ScreeningDecision d = MASH__V1__SCREENING_DECISION__INIT;
    char *agencies[] = {(char *)"police"};
    d.contact_id = (char *)screen;
    d.rag = MASH__V1__RAG__RAG_RED;
    d.n_agencies = 1;
    d.agencies = agencies;
    d.screened_by = (char *)"mash-rawsend";
    mash_envelope_init(&env, message_id, 1);
    env.body_case = MASH__V1__ENVELOPE__BODY_SCREENING;
    env.screening = &d;
    uint8_t *buf;
    size_t len;
    mash_codec_encode(&env, &buf, &len);
    zmq_send(s, buf, len, 0);
    free(buf);
  } else if (answer) {
    /* An enquiry answer ("no information held") to request ANSWER. */
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    Mash__V1__EnquiryResponse r = MASH__V1__ENQUIRY_RESPONSE__INIT;
    r.request_id = (char *)answer;
    r.no_information_held = 1;
    r.summary = (char *)"No information held";
    r.responder = (char *)"mash-rawsend";
    mash_envelope_init(&env, message_id, 1);
    env.body_case = MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE;
    env.enquiry_response = &r;
    uint8_t *buf;
    size_t len;
    mash_codec_encode(&env, &buf, &len);
    zmq_send(s, buf, len, 0);
    free(buf);
  } else if (nframes == 0 && notification_size) {
    size_t len = 0;
    uint8_t *buf = s_big_notification(message_id, notification_size, &len);
    if (!buf) {
      fprintf(stderr, "mash-rawsend: --notification-size %zu is out of reach\n", notification_size);
      return 2;
    }
    fprintf(stderr, "mash-rawsend: a notification of %zu bytes\n", len);
    zmq_send(s, buf, len, 0);
    free(buf);
  } else if (nframes == 0 && heartbeat_size) {
    uint8_t *buf = s_padded_heartbeat(message_id, heartbeat_size);
    if (!buf) {
      fprintf(stderr, "mash-rawsend: --heartbeat-size %zu is too small\n", heartbeat_size);
      return 2;
    }
    zmq_send(s, buf, heartbeat_size, 0);
    free(buf);
  } else if (nframes == 0) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
    hb.agent = (char *)"mash-rawsend";
    mash_envelope_init(&env, "rawsend-heartbeat", 1);
    env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    uint8_t *buf;
    size_t len;
    mash_codec_encode(&env, &buf, &len);
    zmq_send(s, buf, len, 0);
    free(buf);
  }
  for (int i = 0; i < nframes; i++) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (s_read(frames[i], &buf, &len) != 0) {
      fprintf(stderr, "mash-rawsend: cannot read %s\n", frames[i]);
      return 2;
    }
    zmq_send(s, buf, len, 0);
    free(buf);
  }
  int got = 0;
  while (got < expected) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, s, 0) < 0) {
      zmq_msg_close(&m);
      break;
    }
    s_print(zmq_msg_data(&m), zmq_msg_size(&m));
    zmq_msg_close(&m);
    got++;
  }
  if (got < expected) {
    printf("no reply\n");
  }
  fflush(stdout);
  zmq_close(s);
  zmq_ctx_term(ctx);
  return got == expected ? 0 : 3;
}
