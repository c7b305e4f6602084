/* agent_rekey: rotation of an agent's data key; agent_rekey.h says the
 * order of the steps and why it is safe to rerun. */
#include "agent_rekey.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_seal.h"
#include "agent_store.h"

/* The state database under the exclusive lock, for the whole rotation. */
static sqlite3 *s_open_exclusive(const char *program, const char *path) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    fprintf(stderr, "%s rekey: %s: %s\n", program, path, db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return NULL;
  }
  /* A running agent holds its WAL database open: the exclusive locking
   * mode cannot be had then, so a rotation never races a live agent. */
  if (sqlite3_exec(db,
                   "PRAGMA locking_mode = EXCLUSIVE; PRAGMA synchronous = FULL; "
                   "PRAGMA secure_delete = ON; BEGIN EXCLUSIVE; COMMIT",
                   NULL, NULL, NULL) != SQLITE_OK) {
    fprintf(stderr, "%s rekey: %s is busy (%s): stop the agent first\n", program, path,
            sqlite3_errmsg(db));
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

/* 1 when fn ("mash_open" or "mash_open_old") opens the store's check value. */
static int s_opens(sqlite3 *db, const char *fn) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT %s(value, 'seal_check') IS NOT NULL FROM seal_check", fn);
  sqlite3_stmt *st = NULL;
  int ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
           sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
  sqlite3_finalize(st);
  return ok;
}

/* Re-seal the files of one folder. *n counts those re-sealed, *done those
 * found under the new key already. 0 or -1 (the reason printed). */
static int s_files(const char *program, const agent_rekey_dir_t *where, const mash_seal_t *old,
                   const mash_seal_t *fresh, size_t *n, size_t *done) {
  const char *dir = where->dir;
  size_t sl = strlen(where->suffix);
  DIR *d = opendir(dir);
  if (d == NULL) {
    if (errno == ENOENT) {
      return 0;
    }
    fprintf(stderr, "%s rekey: %s: %s\n", program, dir, strerror(errno));
    return -1;
  }
  int out = 0;
  struct dirent *e;
  while (out == 0 && (e = readdir(d)) != NULL) {
    size_t nl = strlen(e->d_name);
    if (e->d_name[0] == '.' || nl <= sl || strcmp(e->d_name + nl - sl, where->suffix) != 0) {
      continue;
    }
    char path[2048], err[1400], aad[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    snprintf(aad, sizeof aad, "%.*s", (int)(where->bare ? nl - sl : nl), e->d_name);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = agent_seal_read(old, path, aad, &data, &len, err, sizeof err);
    if (rc == -EBADMSG) {
      rc = agent_seal_read(fresh, path, aad, &data, &len, err, sizeof err);
      if (rc == 0) {
        (*done)++;
        OPENSSL_cleanse(data, len);
        free(data);
        continue;
      }
      /* A JSON file a version before sealing left there: not sealed, so
       * there is nothing to rotate. */
      FILE *f = fopen(path, "rb");
      int first = f ? fgetc(f) : EOF;
      if (f) {
        fclose(f);
      }
      if (first == '{') {
        continue;
      }
    }
    if (rc == 0) {
      rc = agent_seal_write(fresh, data, len, path, aad, 1, err, sizeof err);
      OPENSSL_cleanse(data, len);
      free(data);
    }
    if (rc != 0) {
      fprintf(stderr, "%s rekey: %s\n", program, err);
      out = -1;
    } else {
      (*n)++;
    }
  }
  closedir(d);
  return out;
}

int agent_rekey(const char *program, const agent_config_t *cfg, const char *new_key,
                const agent_rekey_spec_t *spec) {
  char err[1400], old_path[1100];
  if (cfg->data_key[0]) {
    snprintf(old_path, sizeof old_path, "%s", cfg->data_key);
  } else if (agent_seal_default_path(cfg->key, old_path, sizeof old_path) != 0) {
    fprintf(stderr, "%s rekey: the data key's path is too long\n", program);
    return 1;
  }
  if (strcmp(old_path, new_key) == 0) {
    fprintf(stderr, "%s rekey: the new key must be written to another file than %s\n", program,
            old_path);
    return 1;
  }
  if (access(cfg->state, F_OK) != 0) {
    fprintf(stderr, "%s rekey: %s: %s\n", program, cfg->state, strerror(errno));
    return 1;
  }
  int code = 1;
  sqlite3 *db = NULL;
  mash_seal_t *fresh = NULL;
  mash_seal_t *old = agent_seal_load(cfg, 0, err, sizeof err);
  if (old == NULL) {
    fprintf(stderr, "%s rekey: current %s\n", program, err);
    return 1;
  }
  db = s_open_exclusive(program, cfg->state);
  if (db == NULL || agent_seal_sql_old(db, old) != 0) {
    goto out;
  }
  /* A new key left by an interrupted run may have been committed already. */
  int resumed = access(new_key, F_OK) == 0;
  int which = 0; /* 1: under the current key, 2: under the new one */
  if (resumed) {
    fresh = mash_seal_new(new_key, 0, err, sizeof err);
    if (fresh == NULL) {
      fprintf(stderr, "%s rekey: new data key: %s\n", program, err);
      goto out;
    }
    if (agent_seal_sql(db, fresh) != 0) {
      goto out;
    }
    which = s_opens(db, "mash_open") ? 2 : 0;
  }
  if (which == 0) {
    if (!s_opens(db, "mash_open_old")) {
      fprintf(stderr, "%s rekey: %s does not open with %s: nothing was changed\n", program,
              cfg->state, old_path);
      goto out;
    }
    which = 1;
  }
  if (fresh == NULL) {
    /* A fresh key, made only now that the store is known to be ours. */
    fresh = mash_seal_new(new_key, 1, err, sizeof err);
    if (fresh == NULL || agent_seal_sql(db, fresh) != 0) {
      fprintf(stderr, "%s rekey: new data key: %s\n", program, err);
      goto out;
    }
  }
  if (!mash_seal_distinct(old, fresh)) {
    fprintf(stderr,
            "%s rekey: %s holds (part of) the current key; give a path that does not exist yet\n",
            program, new_key);
    goto out;
  }
  if (which == 1) {
    char *msg = NULL;
    const char *extra = spec && spec->sql ? spec->sql : "";
    if (sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, agent_store_rekey_sql(), NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, extra, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
      fprintf(stderr,
              "%s rekey: %s: %s; nothing was changed (%s is kept: run the same command "
              "again once the cause is fixed)\n",
              program, cfg->state, msg ? msg : sqlite3_errmsg(db), new_key);
      sqlite3_free(msg);
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      goto out;
    }
  }
  size_t files = 0, done = 0;
  for (size_t i = 0; spec && i < spec->n_dirs; i++) {
    if (s_files(program, &spec->dirs[i], old, fresh, &files, &done) != 0) {
      fprintf(stderr,
              "%s rekey: the state is under %s; rerun the same command to finish the files\n",
              program, new_key);
      goto out;
    }
  }
  /* Old ciphertext must not linger in the WAL or in free pages. */
  sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE)", NULL,
               NULL, NULL);
  printf("re-sealed %s%s and %zu file(s) under %s%s.\n"
         "Now start %s with --data-key %s (or data_key = in its section), then destroy %s: it "
         "no longer opens anything.\n",
         cfg->state, which == 2 ? " (done before)" : "", files, new_key,
         resumed ? " (an interrupted rotation resumed)" : "", program, new_key, old_path);
  code = 0;
out:
  sqlite3_close(db);
  mash_seal_destroy(&fresh);
  mash_seal_destroy(&old);
  return code;
}
