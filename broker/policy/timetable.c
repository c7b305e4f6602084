/* timetable: a binary min-heap of (instant, id) and a hash index from id to
 * heap position. See timetable.h. No clock, no I/O; one thread at a time.
 */
#include "timetable.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define S_EMPTY UINT32_MAX      /* an index slot's pos when the slot is free */
#define S_MIN_SLOTS 64          /* the smallest index (a power of two) */
#define S_MAX_ITEMS 0x7fffffffu /* positions fit in 31 bits, slots in 32 */

/* A heap entry is the public item (id, instant), so a loaded array can be
 * adopted as the heap without a copy (mash_timetable_load). */
typedef mash_timetable_item_t s_entry_t;

typedef struct s_slot {
  uint64_t id;
  uint32_t pos; /* the item's place in the heap, or S_EMPTY */
  uint32_t pad;
} s_slot_t;

struct mash_timetable {
  s_entry_t *heap;
  size_t n, cap;
  s_slot_t *slots;
  size_t mask; /* slot count - 1; the count is a power of two */
};

/* ---------------------------------------------------------------- the index */

/* splitmix64's finaliser: ids are often consecutive row numbers, which
 * must still spread over the slots. */
static size_t s_hash(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return (size_t)x;
}

/* The slot holding `id`, or the free slot where it would go. */
static size_t s_probe(const mash_timetable_t *t, uint64_t id) {
  size_t i = s_hash(id) & t->mask;
  while (t->slots[i].pos != S_EMPTY && t->slots[i].id != id) {
    i = (i + 1) & t->mask;
  }
  return i;
}

static s_slot_t *s_find(const mash_timetable_t *t, uint64_t id) {
  s_slot_t *s = &t->slots[s_probe(t, id)];
  return s->pos == S_EMPTY ? NULL : s;
}

/* Rebuild the index with `nslots` slots (a power of two) from the heap. */
static int s_rehash(mash_timetable_t *t, size_t nslots) {
  s_slot_t *slots = malloc(nslots * sizeof *slots);
  if (!slots) {
    return MASH_TIMETABLE_ENOMEM;
  }
  for (size_t i = 0; i < nslots; i++) {
    slots[i].pos = S_EMPTY;
  }
  free(t->slots);
  t->slots = slots;
  t->mask = nslots - 1;
  for (size_t p = 0; p < t->n; p++) {
    s_slot_t *s = &t->slots[s_probe(t, t->heap[p].id)];
    s->id = t->heap[p].id;
    s->pos = (uint32_t)p;
  }
  return 0;
}

/* Free slot i and shift back the entries after it that probed past it, so
 * that every entry stays reachable from its home slot without tombstones. */
static void s_slot_delete(mash_timetable_t *t, size_t i) {
  size_t j = i;
  for (;;) {
    j = (j + 1) & t->mask;
    if (t->slots[j].pos == S_EMPTY) {
      break;
    }
    size_t k = s_hash(t->slots[j].id) & t->mask;
    /* Entry j stays when its home k lies cyclically in (i, j]. */
    bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      t->slots[i] = t->slots[j];
      i = j;
    }
  }
  t->slots[i].pos = S_EMPTY;
}

/* ---------------------------------------------------------------- the heap */

static bool s_before(const s_entry_t *a, const s_entry_t *b) {
  return a->at_ms < b->at_ms || (a->at_ms == b->at_ms && a->id < b->id);
}

/* Put entry e at heap position p and tell the index. */
static void s_place(mash_timetable_t *t, size_t p, s_entry_t e) {
  t->heap[p] = e;
  s_find(t, e.id)->pos = (uint32_t)p;
}

static void s_sift_up(mash_timetable_t *t, size_t p) {
  s_entry_t e = t->heap[p];
  while (p > 0) {
    size_t parent = (p - 1) / 2;
    if (!s_before(&e, &t->heap[parent])) {
      break;
    }
    s_place(t, p, t->heap[parent]);
    p = parent;
  }
  s_place(t, p, e);
}

static void s_sift_down(mash_timetable_t *t, size_t p) {
  s_entry_t e = t->heap[p];
  for (;;) {
    size_t c = 2 * p + 1;
    if (c >= t->n) {
      break;
    }
    if (c + 1 < t->n && s_before(&t->heap[c + 1], &t->heap[c])) {
      c++;
    }
    if (!s_before(&t->heap[c], &e)) {
      break;
    }
    s_place(t, p, t->heap[c]);
    p = c;
  }
  s_place(t, p, e);
}

/* Sift entry p down in a heap of n entries without telling the index: the
 * bulk load orders the heap first and builds the index after. */
static void s_sift_down_plain(s_entry_t *h, size_t n, size_t p) {
  s_entry_t e = h[p];
  for (;;) {
    size_t c = 2 * p + 1;
    if (c >= n) {
      break;
    }
    if (c + 1 < n && s_before(&h[c + 1], &h[c])) {
      c++;
    }
    if (!s_before(&h[c], &e)) {
      break;
    }
    h[p] = h[c];
    p = c;
  }
  h[p] = e;
}

/* Remove the entry at heap position p (its index slot already freed). */
static void s_heap_delete(mash_timetable_t *t, size_t p) {
  t->n--;
  if (p == t->n) {
    return;
  }
  s_entry_t last = t->heap[t->n];
  t->heap[p] = last;
  s_find(t, last.id)->pos = (uint32_t)p;
  if (p > 0 && s_before(&last, &t->heap[(p - 1) / 2])) {
    s_sift_up(t, p);
  } else {
    s_sift_down(t, p);
  }
}

/* ---------------------------------------------------------------- the interface */

mash_timetable_t *mash_timetable_new(void) {
  mash_timetable_t *t = calloc(1, sizeof *t);
  if (!t) {
    return NULL;
  }
  if (s_rehash(t, S_MIN_SLOTS) != 0) {
    free(t);
    return NULL;
  }
  return t;
}

void mash_timetable_destroy(mash_timetable_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  mash_timetable_t *t = *self_p;
  free(t->heap);
  free(t->slots);
  free(t);
  *self_p = NULL;
}

int mash_timetable_reserve(mash_timetable_t *t, size_t n) {
  if (n > S_MAX_ITEMS) {
    return MASH_TIMETABLE_ENOMEM;
  }
  if (n > t->cap) {
    s_entry_t *h = realloc(t->heap, n * sizeof *h);
    if (!h) {
      return MASH_TIMETABLE_ENOMEM;
    }
    t->heap = h;
    t->cap = n;
  }
  /* At most half full: short probes. */
  size_t want = t->mask + 1;
  while (want < 2 * n) {
    want *= 2;
  }
  return want > t->mask + 1 ? s_rehash(t, want) : 0;
}

int mash_timetable_set(mash_timetable_t *t, uint64_t id, int64_t at_ms) {
  s_slot_t *s = s_find(t, id);
  if (s) {
    size_t p = s->pos;
    int64_t old = t->heap[p].at_ms;
    t->heap[p].at_ms = at_ms;
    if (at_ms < old) {
      s_sift_up(t, p);
    } else if (at_ms > old) {
      s_sift_down(t, p);
    }
    return 0;
  }
  if (t->n == t->cap || 2 * (t->n + 1) > t->mask + 1) {
    size_t want = t->n < t->cap ? t->n + 1 : t->cap ? t->cap * 2 : 64;
    if (mash_timetable_reserve(t, want) != 0) {
      return MASH_TIMETABLE_ENOMEM;
    }
  }
  size_t i = s_probe(t, id);
  t->slots[i].id = id;
  t->slots[i].pos = (uint32_t)t->n;
  t->heap[t->n].at_ms = at_ms;
  t->heap[t->n].id = id;
  t->n++;
  s_sift_up(t, t->n - 1);
  return 0;
}

/* How far ahead the bulk load prefetches index slots: each insert is a
 * cache miss in a table of tens of megabytes, and a few dozen of them in
 * flight at once cost little more than one. */
#define S_PREFETCH 16

int mash_timetable_load(mash_timetable_t *t, mash_timetable_item_t **items_p, size_t n,
                        size_t cap) {
  mash_timetable_item_t *items = *items_p;
  *items_p = NULL;
  if (n == 0 || t->n != 0 || n > cap || n > S_MAX_ITEMS) {
    free(items);
    return n == 0 ? 0 : t->n != 0 ? MASH_TIMETABLE_EINVAL : MASH_TIMETABLE_ENOMEM;
  }
  /* The index at most half full, made once: no rehash on the way. */
  size_t nslots = S_MIN_SLOTS;
  while (nslots < 2 * n) {
    nslots *= 2;
  }
  s_slot_t *slots = malloc(nslots * sizeof *slots);
  if (!slots) {
    free(items);
    return MASH_TIMETABLE_ENOMEM;
  }
  for (size_t i = 0; i < nslots; i++) {
    slots[i].pos = S_EMPTY;
  }
  /* Floyd's heap construction: O(n), against O(n log n) for n inserts. */
  for (size_t p = n / 2; p-- > 0;) {
    s_sift_down_plain(items, n, p);
  }
  size_t mask = nslots - 1;
  for (size_t p = 0; p < n; p++) {
    if (p + S_PREFETCH < n) {
      __builtin_prefetch(&slots[s_hash(items[p + S_PREFETCH].id) & mask], 1);
    }
    size_t i = s_hash(items[p].id) & mask;
    while (slots[i].pos != S_EMPTY) {
      if (slots[i].id == items[p].id) {
        free(slots);
        free(items);
        return MASH_TIMETABLE_EEXIST;
      }
      i = (i + 1) & mask;
    }
    slots[i].id = items[p].id;
    slots[i].pos = (uint32_t)p;
  }
  free(t->heap);
  free(t->slots);
  t->heap = items;
  t->n = n;
  t->cap = cap;
  t->slots = slots;
  t->mask = mask;
  return 0;
}

int mash_timetable_remove(mash_timetable_t *t, uint64_t id) {
  size_t i = s_probe(t, id);
  if (t->slots[i].pos == S_EMPTY) {
    return MASH_TIMETABLE_ENOENT;
  }
  size_t p = t->slots[i].pos;
  s_slot_delete(t, i);
  s_heap_delete(t, p);
  return 0;
}

int mash_timetable_get(const mash_timetable_t *t, uint64_t id, int64_t *at_ms) {
  const s_slot_t *s = s_find(t, id);
  if (!s) {
    return MASH_TIMETABLE_ENOENT;
  }
  *at_ms = t->heap[s->pos].at_ms;
  return 0;
}

int64_t mash_timetable_next(const mash_timetable_t *t) {
  return t->n ? t->heap[0].at_ms : MASH_TIMETABLE_NEVER;
}

size_t mash_timetable_take(mash_timetable_t *t, int64_t now_ms, mash_timetable_item_t *out,
                           size_t max) {
  size_t k = 0;
  while (k < max && t->n > 0 && t->heap[0].at_ms <= now_ms) {
    out[k] = t->heap[0];
    s_slot_delete(t, s_probe(t, t->heap[0].id));
    s_heap_delete(t, 0);
    k++;
  }
  return k;
}

size_t mash_timetable_count(const mash_timetable_t *t) {
  return t->n;
}

size_t mash_timetable_memory(const mash_timetable_t *t) {
  return sizeof *t + t->cap * sizeof(s_entry_t) + (t->mask + 1) * sizeof(s_slot_t);
}
