/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hash map: open addressing with linear probing and backward-shift deletion (no tombstones),
 * grown at 3/4 load. Keys are copied; value ownership follows the map's type, as with
 * Redis's dictType. Hashing is XXH64 keyed with a random per-process seed.
 */
#include "floe/base.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *key; /* NULL: empty slot */
    size_t klen;
    uint64_t hash;
    void *val;
} slot;

struct floe_map {
    const floe_map_type *type;
    slot *slots;
    size_t cap; /* power of two, or 0 before the first insert */
    size_t count;
};

static uint64_t hash_seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void init_seed(void)
{
    hash_seed = floe_random_u64();
}

static uint64_t key_hash(const void *key, size_t klen)
{
    pthread_once(&seed_once, init_seed);
    return floe_xxh64(key, klen, hash_seed);
}

floe_map *floe_map_new(const floe_map_type *type)
{
    floe_map *m = floe_xcalloc(1, sizeof(*m));
    m->type = type;
    return m;
}

static void free_val(const floe_map *m, void *val)
{
    if (m->type != NULL && m->type->val_free != NULL && val != NULL) {
        m->type->val_free(val);
    }
}

void floe_map_clear(floe_map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key != NULL) {
            free_val(m, m->slots[i].val);
            free(m->slots[i].key);
            m->slots[i].key = NULL;
        }
    }
    m->count = 0;
}

void floe_map_free(floe_map *m)
{
    if (m == NULL) {
        return;
    }
    floe_map_clear(m);
    free(m->slots);
    free(m);
}

size_t floe_map_count(const floe_map *m)
{
    return m->count;
}

/* Index of the slot holding `key`, or of the empty slot where it would go. */
static size_t find_slot(const floe_map *m, const void *key, size_t klen, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    while (m->slots[i].key != NULL) {
        const slot *s = &m->slots[i];
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0) {
            return i;
        }
        i = (i + 1) & mask;
    }
    return i;
}

static void grow(floe_map *m)
{
    size_t old_cap = m->cap;
    slot *old = m->slots;
    m->cap = old_cap ? old_cap * 2 : 16;
    m->slots = floe_xcalloc(m->cap, sizeof(slot));
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key != NULL) {
            size_t j = find_slot(m, old[i].key, old[i].klen, old[i].hash);
            m->slots[j] = old[i];
        }
    }
    free(old);
}

void *floe_map_get(const floe_map *m, const void *key, size_t klen)
{
    if (m->count == 0) {
        return NULL;
    }
    size_t i = find_slot(m, key, klen, key_hash(key, klen));
    return m->slots[i].key ? m->slots[i].val : NULL;
}

bool floe_map_contains(const floe_map *m, const void *key, size_t klen)
{
    if (m->count == 0) {
        return false;
    }
    size_t i = find_slot(m, key, klen, key_hash(key, klen));
    return m->slots[i].key != NULL;
}

void floe_map_put(floe_map *m, const void *key, size_t klen, void *val)
{
    if ((m->count + 1) * 4 > m->cap * 3) {
        grow(m);
    }
    uint64_t h = key_hash(key, klen);
    size_t i = find_slot(m, key, klen, h);
    slot *s = &m->slots[i];
    if (s->key != NULL) {
        if (s->val != val) {
            free_val(m, s->val);
        }
        s->val = val;
        return;
    }
    s->key = floe_xmalloc(klen + 1);
    memcpy(s->key, key, klen);
    s->key[klen] = '\0';
    s->klen = klen;
    s->hash = h;
    s->val = val;
    m->count++;
}

/* Remove slot i and shift later members of its probe run back (Knuth's algorithm R). */
static void delete_slot(floe_map *m, size_t i)
{
    size_t mask = m->cap - 1;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (m->slots[j].key == NULL) {
            break;
        }
        size_t home = (size_t)m->slots[j].hash & mask;
        /* Move j into the hole at i unless its home lies cyclically in (i, j]. */
        bool home_between = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (!home_between) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
    m->count--;
}

void *floe_map_take(floe_map *m, const void *key, size_t klen)
{
    if (m->count == 0) {
        return NULL;
    }
    size_t i = find_slot(m, key, klen, key_hash(key, klen));
    if (m->slots[i].key == NULL) {
        return NULL;
    }
    void *val = m->slots[i].val;
    delete_slot(m, i);
    return val;
}

bool floe_map_remove(floe_map *m, const void *key, size_t klen)
{
    if (!floe_map_contains(m, key, klen)) {
        return false;
    }
    free_val(m, floe_map_take(m, key, klen));
    return true;
}

bool floe_map_next(const floe_map *m, floe_map_iter *it, const char **key, size_t *klen, void **val)
{
    while (it->next_slot < m->cap) {
        const slot *s = &m->slots[it->next_slot++];
        if (s->key != NULL) {
            if (key != NULL) {
                *key = s->key;
            }
            if (klen != NULL) {
                *klen = s->klen;
            }
            if (val != NULL) {
                *val = s->val;
            }
            return true;
        }
    }
    return false;
}

void *floe_map_get_s(const floe_map *m, const char *key)
{
    return floe_map_get(m, key, strlen(key));
}

void floe_map_put_s(floe_map *m, const char *key, void *val)
{
    floe_map_put(m, key, strlen(key), val);
}

bool floe_map_remove_s(floe_map *m, const char *key)
{
    return floe_map_remove(m, key, strlen(key));
}
