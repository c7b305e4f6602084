/* intake_int: what bench-intake's two files share: the options, the two
 * targets under load (a real mashd, and the raw ROUTER that only
 * acknowledges) and what they need set up (folder, keys, payload).
 * intake.c drives the clients and reports; intake_targets.c starts and
 * stops the targets. Private to bench-intake; called from its main thread.
 */
#ifndef MASH_BENCH_INTAKE_INT_H
#define MASH_BENCH_INTAKE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "keys.h"

#define INTAKE_ID_LEN 19 /* "bench-KK-SSSSSSSSSS" */
#define INTAKE_ID_TEMPLATE "bench-ZZ-ZZZZZZZZZZ"
#define INTAKE_MAX_CLIENTS 64

typedef struct intake_opts {
  unsigned long count;
  unsigned clients;
  unsigned window;
  int timeout_ms;
  const char *mashd;
  const char *example;
  const char *parent_dir;
  const char *log_level;
  const char *store_url; /* PostgreSQL (an empty database); NULL: SQLite in the folder */
  const char *people;    /* a folder kept by bench-resolve: mashd starts on its index */
  int desk;              /* connect a hub desk and time the contacts' arrival */
  int tcp;
  int json;
  int keep;
  int quiet;
} intake_opts_t;

/* ---- the folder, keys and payload ---- */

/* Remove a folder and everything in it (the temporary folder: a few levels). */
void intake_remove_tree(const char *path);
/* The broker's key pair, and one agency key per client (police, police2,
 * ...), each trusted as agency = police, written into dir; hub: when not
 * NULL, a hub desk's key too (trusted with the hub role). 0 or -1 with a
 * message printed. */
int intake_make_keys(const char *dir, unsigned clients, mash_key_t *broker, mash_key_t *keys,
                     mash_key_t *hub);
/* Encode the example once, with a placeholder id whose offset the clients
 * patch. Returns 0 or -1 with a message printed. */
int intake_make_payload(const char *example, uint8_t **out, size_t *out_len, size_t *id_offset);
/* The size of a typical accepted receipt, so that the raw server answers
 * with as many bytes as mashd does. */
size_t intake_receipt_size(void);

/* ---- mashd ---- */

typedef struct intake_mashd {
  pid_t pid;
  int out_fd; /* its standard output, read until the ready line */
  char endpoint[256];
} intake_mashd_t;

/* ../broker/mashd beside this program, into out. */
void intake_default_mashd(char *out, size_t len);
/* The last lines of dir's mashd.log on stderr. */
void intake_log_tail(const char *dir);
/* Start mashd (posix_spawn) with its data, keys and log in dir (its store
 * on PostgreSQL with o->store_url), and wait for its ready line (its
 * endpoint in m->endpoint) at least 20 s, or o->timeout_ms when longer.
 * 0 or -1. */
int intake_mashd_start(intake_mashd_t *m, const char *mashd, const char *dir,
                       const intake_opts_t *o);
/* SIGTERM, then wait up to 15 s before SIGKILL (SIGCHLD must be blocked in
 * every thread). Returns mashd's exit status, or -1 when it had to be
 * killed or died of a signal. */
int intake_mashd_stop(intake_mashd_t *m);
/* mashd's CPU so far (user and system, seconds), from /proc/PID/stat; 0, or
 * -1 when it cannot be read. */
int intake_proc_cpu(pid_t pid, double *user_s, double *sys_s);
/* The contacts stored in dir's database (or at store_url on PostgreSQL),
 * through a read-only store; -1 when it cannot be read. */
long long intake_count_contacts(const char *dir, const char *store_url);

/* ---- the raw server ---- */

typedef struct intake_raw {
  void *ctx;
  void *sock;
  size_t ack_len;
  pthread_t thread;
  char endpoint[256];
  mash_key_t key;
} intake_raw_t;

/* A CURVE ROUTER on its own thread answering every frame with ack_len
 * bytes. 0 or -1 with a message printed. */
int intake_raw_start(intake_raw_t *s, const char *dir, int tcp, size_t ack_len);
void intake_raw_stop(intake_raw_t *s);

#endif
