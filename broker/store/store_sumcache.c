/* store_sumcache: the opened comparison summaries a store keeps in memory,
 * by person row number (store_sumcache.h).
 *
 * At 1,000,000 people a look-up scores a few hundred candidates; seeking
 * each one's summary in the database and opening it (AES-GCM) was half of
 * a resolution's time (bench/README.md). Held here, a summary costs a
 * probe of a table in memory.
 *
 * Responsible for: an open-addressing table (linear probing, deletion by
 * shifting back) of person row numbers beside 96-byte slots holding the
 * summaries (43 to 106 bytes at 1,000,000 people, 99.9% of them 94 or
 * fewer: the rest are read from the store each time), in anonymous mappings
 * left out of core dumps; doubling it as it fills, up to its bound, past
 * which new summaries are not held (they are read from the store as
 * before); forgetting what a transaction wrote when the transaction, or a
 * savepoint in it, is undone. Must not: talk to a database, know what a
 * summary says, or be shared between threads (one per store connection:
 * the storage thread's in mashd).
 *
 * What it holds is the matcher's view of a person in the clear, as the
 * process already holds it while scoring, beside the data key that opens
 * every record. The mappings are left out of core dumps (MADV_DONTDUMP);
 * pages unmapped or dropped go back to the kernel, which clears them
 * before any other use.
 */
#include "store_sumcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define S_MIN_SLOTS 1024u
/* At most 4/5 full: a miss then probes about 13 row numbers. */
#define S_LOAD_NUM 4u
#define S_LOAD_DEN 5u
/* The ids a transaction remembers having written; past that, an undo
 * forgets everything. A batch of 64 notifications writes a few hundred. */
#define S_WRITTEN_MAX 2048u

typedef struct s_slot {
  uint8_t len;
  uint8_t is_child;
  uint8_t data[STORE_SUMCACHE_DATA_MAX];
} s_slot_t;

_Static_assert(sizeof(s_slot_t) == 96, "a slot is a cache line and a half");

struct store_sumcache {
  int64_t *ids;   /* cap row numbers, 0 for an empty place (no person's is 0) */
  s_slot_t *slot; /* cap slots, beside them */
  size_t cap, max_cap;
  int64_t written[S_WRITTEN_MAX];
  size_t n_written;
  bool written_over;
  mash_store_person_cache_t st;
};

static size_t s_bytes(size_t cap) {
  return cap * (sizeof(int64_t) + sizeof(s_slot_t));
}

static void *s_map(size_t bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return NULL;
  }
#ifdef MADV_DONTDUMP
  (void)madvise(p, bytes, MADV_DONTDUMP);
#endif
  return p;
}

/* A row number's home place: its hash scaled onto [0, cap). */
static size_t s_home(size_t cap, int64_t id) {
  uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
  h ^= h >> 29;
  return (size_t)(((unsigned __int128)h * cap) >> 64);
}

static size_t s_next(size_t cap, size_t i) {
  return i + 1 == cap ? 0 : i + 1;
}

/* id's place, or cap when not held. */
static size_t s_find(const store_sumcache_t *c, int64_t id) {
  for (size_t i = s_home(c->cap, id);; i = s_next(c->cap, i)) {
    if (c->ids[i] == id) {
      return i;
    }
    if (c->ids[i] == 0) {
      return c->cap;
    }
  }
}

static void s_set(store_sumcache_t *c, size_t i, int64_t id, int is_child, const uint8_t *data,
                  size_t len) {
  c->ids[i] = id;
  c->slot[i].len = (uint8_t)len;
  c->slot[i].is_child = is_child ? 1 : 0;
  memcpy(c->slot[i].data, data, len);
}

/* Hold a new id (not held, room known): at the first empty place from home. */
static void s_insert(store_sumcache_t *c, int64_t id, int is_child, const uint8_t *data,
                     size_t len) {
  size_t i = s_home(c->cap, id);
  while (c->ids[i] != 0) {
    i = s_next(c->cap, i);
  }
  s_set(c, i, id, is_child, data, len);
  c->st.entries++;
}

static void s_unmap(int64_t *ids, s_slot_t *slot, size_t cap) {
  if (ids != NULL) {
    munmap(ids, cap * sizeof *ids);
  }
  if (slot != NULL) {
    munmap(slot, cap * sizeof *slot);
  }
}

/* Move everything into a table of cap places. 0 or -ENOMEM (nothing lost). */
static int s_rehash(store_sumcache_t *c, size_t cap) {
  int64_t *ids = s_map(cap * sizeof *ids);
  s_slot_t *slot = s_map(cap * sizeof *slot);
  if (ids == NULL || slot == NULL) {
    s_unmap(ids, slot, cap);
    return -ENOMEM;
  }
  int64_t *old_ids = c->ids;
  s_slot_t *old_slot = c->slot;
  size_t old_cap = c->cap;
  c->ids = ids;
  c->slot = slot;
  c->cap = cap;
  c->st.entries = 0;
  c->st.bytes = s_bytes(cap);
  for (size_t i = 0; i < old_cap; i++) {
    if (old_ids[i] != 0) {
      s_insert(c, old_ids[i], old_slot[i].is_child, old_slot[i].data, old_slot[i].len);
    }
  }
  s_unmap(old_ids, old_slot, old_cap);
  return 0;
}

store_sumcache_t *store_sumcache_new(size_t max_bytes) {
  size_t max_cap = max_bytes / (sizeof(int64_t) + sizeof(s_slot_t));
  if (max_cap < S_MIN_SLOTS) {
    return NULL;
  }
  store_sumcache_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return NULL;
  }
  c->max_cap = max_cap;
  c->cap = S_MIN_SLOTS;
  c->ids = s_map(c->cap * sizeof *c->ids);
  c->slot = s_map(c->cap * sizeof *c->slot);
  if (c->ids == NULL || c->slot == NULL) {
    s_unmap(c->ids, c->slot, c->cap);
    free(c);
    return NULL;
  }
  c->st.bytes = s_bytes(c->cap);
  return c;
}

void store_sumcache_destroy(store_sumcache_t **c) {
  if (c == NULL || *c == NULL) {
    return;
  }
  s_unmap((*c)->ids, (*c)->slot, (*c)->cap);
  free(*c);
  *c = NULL;
}

int store_sumcache_reserve(store_sumcache_t *c, size_t n) {
  if (c == NULL) {
    return 0;
  }
  /* n and a quarter more (people added after the fill) at most 4/5 full. */
  size_t want = (n + n / 4) / S_LOAD_NUM * S_LOAD_DEN + S_LOAD_DEN;
  size_t cap = want < c->max_cap ? want : c->max_cap;
  return cap > c->cap ? s_rehash(c, cap) : 0;
}

bool store_sumcache_get(store_sumcache_t *c, int64_t id, int *is_child, const uint8_t **data,
                        size_t *len) {
  size_t i = c != NULL && id != 0 ? s_find(c, id) : 0;
  if (c == NULL || id == 0 || i == c->cap) {
    if (c != NULL) {
      c->st.misses++;
    }
    return false;
  }
  c->st.hits++;
  *is_child = c->slot[i].is_child;
  *data = c->slot[i].data;
  *len = c->slot[i].len;
  return true;
}

/* Forget id: the places after it that probed past it move back. */
static void s_drop(store_sumcache_t *c, int64_t id) {
  size_t i = s_find(c, id);
  if (i == c->cap) {
    return;
  }
  for (size_t j = s_next(c->cap, i); c->ids[j] != 0; j = s_next(c->cap, j)) {
    size_t k = s_home(c->cap, c->ids[j]);
    /* The entry at j stays when its home lies cyclically in (i, j]. */
    bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      c->ids[i] = c->ids[j];
      c->slot[i] = c->slot[j];
      i = j;
    }
  }
  c->ids[i] = 0;
  memset(&c->slot[i], 0, sizeof c->slot[i]);
  c->st.entries--;
}

void store_sumcache_put(store_sumcache_t *c, int64_t id, int is_child, const uint8_t *data,
                        size_t len) {
  if (c == NULL || id == 0) {
    return;
  }
  size_t i = s_find(c, id);
  if (len == 0 || len > STORE_SUMCACHE_DATA_MAX) {
    if (i != c->cap) {
      s_drop(c, id);
    }
    return;
  }
  if (i != c->cap) {
    s_set(c, i, id, is_child, data, len);
    return;
  }
  if ((c->st.entries + 1) * S_LOAD_DEN > c->cap * S_LOAD_NUM) {
    size_t cap = c->cap < c->max_cap / 2 ? c->cap * 2 : c->max_cap;
    if (cap <= c->cap || s_rehash(c, cap) != 0) {
      c->st.refused++; /* at the bound, or short of memory: read from the store */
      return;
    }
  }
  s_insert(c, id, is_child, data, len);
}

void store_sumcache_written(store_sumcache_t *c, int64_t id) {
  if (c == NULL) {
    return;
  }
  s_drop(c, id);
  if (c->n_written < S_WRITTEN_MAX) {
    c->written[c->n_written++] = id;
  } else {
    c->written_over = true;
  }
}

void store_sumcache_committed(store_sumcache_t *c) {
  if (c != NULL) {
    c->n_written = 0;
    c->written_over = false;
  }
}

void store_sumcache_undone(store_sumcache_t *c) {
  if (c == NULL) {
    return;
  }
  if (c->written_over) {
    store_sumcache_clear(c);
    return;
  }
  for (size_t i = 0; i < c->n_written; i++) {
    s_drop(c, c->written[i]);
  }
}

void store_sumcache_rolled_back(store_sumcache_t *c) {
  store_sumcache_undone(c);
  store_sumcache_committed(c);
}

void store_sumcache_clear(store_sumcache_t *c) {
  if (c == NULL) {
    return;
  }
  /* Dropped pages come back zeroed: every place empty. */
  if (madvise(c->ids, c->cap * sizeof *c->ids, MADV_DONTNEED) != 0 ||
      madvise(c->slot, c->cap * sizeof *c->slot, MADV_DONTNEED) != 0) {
    memset(c->ids, 0, c->cap * sizeof *c->ids);
    memset(c->slot, 0, c->cap * sizeof *c->slot);
  }
  c->st.entries = 0;
  c->st.clears++;
}

void store_sumcache_stats(const store_sumcache_t *c, mash_store_person_cache_t *out) {
  if (c == NULL) {
    memset(out, 0, sizeof *out);
    return;
  }
  *out = c->st;
}
