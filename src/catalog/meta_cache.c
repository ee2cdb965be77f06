/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metadata file cache: metadata files are immutable (every commit writes a new file under
 * a fresh name), so a file read once can be served from memory until it is evicted. Loads then
 * cost one store lookup and a copy, and commits find their base metadata already parsed.
 *
 * Entries are keyed by location and reference counted: a caller holding an entry may use its
 * bytes and parsed metadata while another thread evicts it. The cache is bounded by bytes
 * (JSON text plus the parsed metadata's arena) and evicts least recently used entries first.
 * One mutex guards the map and the LRU list; an entry's parsed metadata is built at most once,
 * under the entry's own mutex, outside the cache lock.
 */
#include "catalog_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct meta_file {
    char *location;
    char *json; /* NUL-terminated */
    size_t len;
    char *table_location;
    atomic_int refs;
    pthread_mutex_t mu; /* guards `arena`, `meta`, `parse_status` */
    floe_arena *arena;
    floe_table_meta *meta;
    floe_status parse_status; /* sticky: a file that does not parse never will */
    char parse_msg[FLOE_ERR_MSG_MAX];
    meta_cache *owner; /* the cache it was put in (fixed), or NULL */
    /* cache bookkeeping (under the owner's mutex) */
    meta_cache *cache; /* NULL when not (or no longer) cached */
    size_t cost;
    meta_file *prev, *next; /* LRU list: head is the most recently used */
};

struct meta_cache {
    pthread_mutex_t mu;
    floe_map *by_location; /* location -> meta_file (the cache's reference) */
    meta_file *head, *tail;
    size_t bytes;
    size_t max_bytes;
    uint64_t hits, misses;
};

meta_cache *meta_cache_new(size_t max_bytes)
{
    meta_cache *mc = floe_xcalloc(1, sizeof(*mc));
    pthread_mutex_init(&mc->mu, NULL);
    mc->by_location = floe_map_new(NULL);
    mc->max_bytes = max_bytes;
    return mc;
}

static void file_free(meta_file *f)
{
    pthread_mutex_destroy(&f->mu);
    floe_arena_free(f->arena);
    free(f->location);
    free(f->json);
    free(f->table_location);
    free(f);
}

void meta_file_unref(meta_file *f)
{
    if (f != NULL && atomic_fetch_sub(&f->refs, 1) == 1) {
        file_free(f);
    }
}

static void lru_unlink(meta_cache *mc, meta_file *f)
{
    if (f->prev != NULL) {
        f->prev->next = f->next;
    } else {
        mc->head = f->next;
    }
    if (f->next != NULL) {
        f->next->prev = f->prev;
    } else {
        mc->tail = f->prev;
    }
    f->prev = f->next = NULL;
}

static void lru_push_front(meta_cache *mc, meta_file *f)
{
    f->prev = NULL;
    f->next = mc->head;
    if (mc->head != NULL) {
        mc->head->prev = f;
    }
    mc->head = f;
    if (mc->tail == NULL) {
        mc->tail = f;
    }
}

/* Drop the cache's reference to `f` (under mc->mu). */
static void evict(meta_cache *mc, meta_file *f)
{
    lru_unlink(mc, f);
    floe_map_remove_s(mc->by_location, f->location);
    mc->bytes -= f->cost;
    f->cache = NULL;
    meta_file_unref(f);
}

static void shrink(meta_cache *mc)
{
    while (mc->bytes > mc->max_bytes && mc->tail != NULL) {
        evict(mc, mc->tail);
    }
}

void meta_cache_free(meta_cache *mc)
{
    if (mc == NULL) {
        return;
    }
    while (mc->head != NULL) {
        evict(mc, mc->head);
    }
    floe_map_free(mc->by_location);
    pthread_mutex_destroy(&mc->mu);
    free(mc);
}

meta_file *meta_cache_get(meta_cache *mc, const char *location)
{
    pthread_mutex_lock(&mc->mu);
    meta_file *f = floe_map_get_s(mc->by_location, location);
    if (f != NULL) {
        atomic_fetch_add(&f->refs, 1);
        if (mc->head != f) {
            lru_unlink(mc, f);
            lru_push_front(mc, f);
        }
        mc->hits++;
    } else {
        mc->misses++;
    }
    pthread_mutex_unlock(&mc->mu);
    return f;
}

meta_file *meta_cache_put(meta_cache *mc, const char *location, char *json, size_t len,
                          const char *table_location)
{
    meta_file *f = floe_xcalloc(1, sizeof(*f));
    f->location = floe_xstrdup(location);
    f->json = json;
    f->len = len;
    f->table_location = floe_xstrdup(table_location);
    pthread_mutex_init(&f->mu, NULL);
    atomic_init(&f->refs, 1); /* the caller's */
    f->cost = len + strlen(location) + sizeof(*f);
    if (mc == NULL || f->cost > mc->max_bytes) {
        return f; /* not cached: freed with the caller's reference */
    }
    pthread_mutex_lock(&mc->mu);
    meta_file *old = floe_map_get_s(mc->by_location, location);
    if (old != NULL) {
        /* Another thread read the same file first: share its entry (and its parse). */
        atomic_fetch_add(&old->refs, 1);
        pthread_mutex_unlock(&mc->mu);
        file_free(f);
        return old;
    }
    atomic_fetch_add(&f->refs, 1); /* the cache's */
    f->owner = mc;
    f->cache = mc;
    floe_map_put_s(mc->by_location, f->location, f);
    lru_push_front(mc, f);
    mc->bytes += f->cost;
    shrink(mc);
    pthread_mutex_unlock(&mc->mu);
    return f;
}

void meta_cache_forget(meta_cache *mc, const char *location)
{
    if (mc == NULL) {
        return;
    }
    pthread_mutex_lock(&mc->mu);
    meta_file *f = floe_map_get_s(mc->by_location, location);
    if (f != NULL) {
        evict(mc, f);
    }
    pthread_mutex_unlock(&mc->mu);
}

void meta_cache_stats(meta_cache *mc, size_t *bytes, size_t *entries, uint64_t *hits,
                      uint64_t *misses)
{
    pthread_mutex_lock(&mc->mu);
    *bytes = mc->bytes;
    *entries = floe_map_count(mc->by_location);
    *hits = mc->hits;
    *misses = mc->misses;
    pthread_mutex_unlock(&mc->mu);
}

floe_str meta_file_json(const meta_file *f)
{
    return (floe_str){f->json, f->len};
}

const char *meta_file_location(const meta_file *f)
{
    return f->location;
}

const char *meta_file_table_location(const meta_file *f)
{
    return f->table_location;
}

floe_status meta_file_parsed(meta_file *f, const floe_table_meta **out, floe_err *err)
{
    pthread_mutex_lock(&f->mu);
    if (f->meta == NULL && f->parse_status == FLOE_OK) {
        /* The parse gets its own arena sized for the file: metadata is a few times its JSON. */
        floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);
        floe_err perr = {0};
        floe_table_meta *m = NULL;
        floe_status st = floe_iceberg_parse_metadata(a, (floe_str){f->json, f->len}, &m, &perr);
        if (st == FLOE_OK) {
            m->metadata_location = floe_arena_strdup(a, f->location);
            st = floe_arena_check(a, &perr);
        }
        if (st != FLOE_OK) {
            floe_arena_free(a);
            f->parse_status = st;
            /* The message names the file; keep as much of the parser's reason as fits. */
            floe_buf msg;
            floe_buf_init(&msg, 0);
            floe_buf_printf(&msg, NULL, "metadata %s: %s", f->location, perr.msg);
            size_t n = msg.len < sizeof(f->parse_msg) - 1 ? msg.len : sizeof(f->parse_msg) - 1;
            memcpy(f->parse_msg, msg.data, n);
            f->parse_msg[n] = '\0';
            floe_buf_fini(&msg);
        } else {
            f->arena = a;
            f->meta = m;
            meta_cache *mc = f->owner;
            if (mc != NULL) {
                pthread_mutex_lock(&mc->mu);
                if (f->cache != NULL) {
                    size_t extra = floe_arena_used(a);
                    f->cost += extra;
                    mc->bytes += extra;
                    shrink(mc);
                }
                pthread_mutex_unlock(&mc->mu);
            }
        }
    }
    floe_status st = f->parse_status;
    *out = f->meta;
    if (st != FLOE_OK) {
        floe_err_set(err, st, "%s", f->parse_msg);
    }
    pthread_mutex_unlock(&f->mu);
    return st;
}
