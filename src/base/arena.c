/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arena allocator: a chain of blocks with a bump pointer, and a hard limit on the bytes handed
 * out. Past the limit an allocation returns NULL and the arena remembers it (sticky, as in
 * SQLite's mallocFailed), so a parser can bail out with NULL and the top level reports one
 * clear FLOE_ERR_TOO_BIG.
 */
#include "floe/base.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN ((size_t)16 << 10) /* first block: 16 KiB */
#define ARENA_BLOCK_MAX ((size_t)4 << 20)  /* blocks stop doubling at 4 MiB */
#define ARENA_ALIGN (alignof(max_align_t))

typedef struct block {
    struct block *next;
    size_t cap; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} block;

struct floe_arena {
    block *head; /* current block: allocations come from here */
    size_t limit;
    size_t used;     /* bytes handed out (after alignment) */
    size_t next_cap; /* size of the next block */
    bool failed;
};

floe_arena *floe_arena_new(size_t limit)
{
    floe_arena *a = floe_xcalloc(1, sizeof(*a));
    a->limit = limit;
    a->next_cap = ARENA_BLOCK_MIN;
    return a;
}

static void free_blocks(block *b)
{
    while (b != NULL) {
        block *next = b->next;
        free(b);
        b = next;
    }
}

void floe_arena_free(floe_arena *a)
{
    if (a == NULL) {
        return;
    }
    free_blocks(a->head);
    free(a);
}

void floe_arena_reset(floe_arena *a)
{
    if (a->head != NULL) {
        /* Keep the oldest block (the end of the chain), free the rest. */
        block *b = a->head, *keep = NULL;
        while (b != NULL) {
            block *next = b->next;
            if (next == NULL) {
                keep = b;
            } else {
                free(b);
            }
            b = next;
        }
        keep->used = 0;
        keep->next = NULL;
        a->head = keep;
    }
    a->used = 0;
    a->failed = false;
}

static size_t align_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

void *floe_arena_alloc(floe_arena *a, size_t n)
{
    if (a->failed) {
        return NULL;
    }
    if (n == 0) {
        n = 1;
    }
    if (n > SIZE_MAX - ARENA_ALIGN || align_up(n) > a->limit - a->used) {
        a->failed = true;
        return NULL;
    }
    n = align_up(n);
    block *b = a->head;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = a->next_cap;
        if (cap < n) {
            cap = n; /* a big request gets a block of its own size */
        } else if (a->next_cap < ARENA_BLOCK_MAX) {
            a->next_cap *= 2;
        }
        block *nb = floe_xmalloc(sizeof(block) + cap);
        nb->cap = cap;
        nb->used = 0;
        if (b != NULL && cap == n && b->cap - b->used > 0) {
            /* Slide a dedicated block under the current one so its free space stays usable. */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            a->used += n;
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used += n;
    return p;
}

void *floe_arena_calloc(floe_arena *a, size_t count, size_t size)
{
    size_t n;
    if (floe_mul_overflow(count, size, &n)) {
        a->failed = true;
        return NULL;
    }
    void *p = floe_arena_alloc(a, n);
    if (p != NULL) {
        memset(p, 0, n);
    }
    return p;
}

void *floe_arena_memdup(floe_arena *a, const void *p, size_t n)
{
    void *q = floe_arena_alloc(a, n);
    if (q != NULL && n > 0) {
        memcpy(q, p, n);
    }
    return q;
}

char *floe_arena_strndup(floe_arena *a, const char *s, size_t n)
{
    if (s == NULL) {
        return NULL;
    }
    size_t len = strnlen(s, n);
    char *q = floe_arena_alloc(a, len + 1);
    if (q != NULL) {
        memcpy(q, s, len);
        q[len] = '\0';
    }
    return q;
}

char *floe_arena_strdup(floe_arena *a, const char *s)
{
    return s == NULL ? NULL : floe_arena_strndup(a, s, strlen(s));
}

char *floe_arena_sprintf(floe_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = NULL;
    if (n >= 0) {
        p = floe_arena_alloc(a, (size_t)n + 1);
        if (p != NULL) {
            vsnprintf(p, (size_t)n + 1, fmt, ap2);
        }
    }
    va_end(ap2);
    return p;
}

size_t floe_arena_used(const floe_arena *a)
{
    return a->used;
}

size_t floe_arena_limit(const floe_arena *a)
{
    return a->limit;
}

bool floe_arena_failed(const floe_arena *a)
{
    return a->failed;
}

floe_status floe_arena_check(const floe_arena *a, floe_err *err)
{
    if (!a->failed) {
        return FLOE_OK;
    }
    return floe_err_set(err, FLOE_ERR_TOO_BIG, "memory limit of %zu bytes exceeded", a->limit);
}
