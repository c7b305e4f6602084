/* Unit tests of trustwatch: a change of the trust folder (a key revoked by
 * mash_trust_revoke) puts a new list in force through apply() without a
 * signal; a reload that finds nothing changed applies nothing; a folder
 * made writable by others is refused and the list in force stays; an apply
 * that fails keeps the old list. Real folder, real inotify, a real loop that
 * closes with no handle left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#include "keys.h"
#include "trustwatch.h"

#define WAIT_MS 10000

typedef struct fx {
  char dir[64];
  mash_key_t police, hub;
  uv_loop_t loop;
  uv_timer_t guard;
  int applied;
  int refuse;    /* apply() fails */
  int timed_out; /* the guard fired */
  const mash_trust_t *last;
} fx_t;

static int s_apply(const mash_trust_t *fresh, void *arg) {
  fx_t *f = arg;
  if (f->refuse) {
    return -1;
  }
  f->applied++;
  f->last = fresh;
  return 0;
}

static void s_guard_cb(uv_timer_t *t) {
  fx_t *f = t->data;
  f->timed_out = 1; /* the bound on waiting: the test then asserts */
}

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-trustwatch-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  assert_int_equal(chmod(f->dir, 0755), 0);
  char err[512];
  assert_int_equal(mash_key_generate(f->dir, "police", "agency", 0, &f->police, err, sizeof err),
                   0);
  assert_int_equal(mash_key_generate(f->dir, "hub", "hub", 0, &f->hub, err, sizeof err), 0);
  assert_int_equal(uv_loop_init(&f->loop), 0);
  uv_timer_init(&f->loop, &f->guard);
  f->guard.data = f;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx_t *f = *state;
  uv_close((uv_handle_t *)&f->guard, NULL);
  uv_run(&f->loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&f->loop), 0);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static mash_trustwatch_t *s_watch(fx_t *f) {
  char err[512];
  mash_trust_t *t = mash_trust_load(f->dir, err, sizeof err);
  assert_non_null(t);
  mash_trustwatch_t *w = mash_trustwatch_new(&f->loop, f->dir, &t, 20, s_apply, f);
  assert_non_null(w);
  assert_null(t); /* ownership moved */
  return w;
}

static void s_close(mash_trustwatch_t *w) {
  mash_trust_t *t = NULL;
  mash_trustwatch_close(w, &t);
  assert_non_null(t);
  mash_trust_destroy(&t);
}

static void test_change_reloads(void **state) {
  fx_t *f = *state;
  mash_trustwatch_t *w = s_watch(f);
  assert_non_null(mash_trust_find_principal(mash_trustwatch_current(w), "police"));
  char err[512];
  assert_int_equal(mash_trust_revoke(f->dir, "police", err, sizeof err), 0);
  uv_timer_start(&f->guard, s_guard_cb, WAIT_MS, 0);
  while (!f->applied && !f->timed_out) {
    uv_run(&f->loop, UV_RUN_ONCE);
  }
  uv_timer_stop(&f->guard);
  assert_int_equal(f->applied, 1);
  assert_ptr_equal(f->last, mash_trustwatch_current(w));
  assert_null(mash_trust_find_principal(f->last, "police"));
  assert_int_equal(mash_trust_is_revoked(f->last, f->police.public_key), 1);
  assert_non_null(mash_trust_find_principal(f->last, "hub"));
  /* Nothing changed since: a reload (SIGHUP) applies nothing. */
  assert_int_equal(mash_trustwatch_reload(w, "test"), 0);
  assert_int_equal(f->applied, 1);
  s_close(w);
}

static void test_bad_folder_keeps_list(void **state) {
  fx_t *f = *state;
  mash_trustwatch_t *w = s_watch(f);
  const mash_trust_t *before = mash_trustwatch_current(w);
  char err[512];
  assert_int_equal(mash_trust_revoke(f->dir, "police", err, sizeof err), 0);
  assert_int_equal(chmod(f->dir, 0777), 0);
  assert_int_equal(mash_trustwatch_reload(w, "test"), -1);
  assert_int_equal(f->applied, 0);
  assert_ptr_equal(mash_trustwatch_current(w), before);
  assert_int_equal(chmod(f->dir, 0755), 0);
  f->refuse = 1; /* the owner cannot put it in force: the old list stays */
  assert_int_equal(mash_trustwatch_reload(w, "test"), -1);
  assert_ptr_equal(mash_trustwatch_current(w), before);
  f->refuse = 0;
  assert_int_equal(mash_trustwatch_reload(w, "test"), 0);
  assert_int_equal(f->applied, 1);
  assert_null(mash_trust_find_principal(mash_trustwatch_current(w), "police"));
  s_close(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_change_reloads, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_folder_keeps_list, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
