/* test_race.h: run one opening in several processes started together (a
 * burst of one-shot adapters on one file) and check each succeeded.
 * Header-only, for the unit tests that include it after cmocka.h. */
#ifndef MASH_TEST_RACE_H
#define MASH_TEST_RACE_H

#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_RACE_PROCESSES 4

/* open_fn(path, arg, err, errlen) in TEST_RACE_PROCESSES processes at once:
 * each must answer 0 (a failure's err is printed with the round). */
static void test_race_all_open(int round, const char *path,
                               int (*open_fn)(const char *path, void *arg, char *err,
                                              size_t errlen),
                               void *arg) {
  pid_t kids[TEST_RACE_PROCESSES];
  for (size_t k = 0; k < TEST_RACE_PROCESSES; k++) {
    kids[k] = fork();
    assert_true(kids[k] >= 0);
    if (kids[k] == 0) {
      char err[256] = "";
      int rc = open_fn(path, arg, err, sizeof err);
      if (rc != 0) {
        fprintf(stderr, "round %d: %s\n", round, err);
      }
      _exit(rc == 0 ? 0 : 1);
    }
  }
  for (size_t k = 0; k < TEST_RACE_PROCESSES; k++) {
    int status = 0;
    assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }
}

#endif
