/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thread pool: N workers draining a bounded ring of (fn, arg) jobs. The bound gives natural
 * back-pressure: a producer that outruns the workers waits in submit() (or is told
 * FLOE_ERR_UNAVAILABLE by try_submit()) instead of growing memory without limit.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "floe/base.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    floe_pool_fn fn;
    void *arg;
} job;

struct floe_pool {
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* workers wait here */
    pthread_cond_t not_full;  /* producers wait here */
    pthread_cond_t idle;      /* floe_pool_wait() waits here */
    job *ring;
    size_t cap, head, count;
    unsigned running; /* jobs being executed right now */
    bool stopping;
    unsigned nthreads;
    pthread_t *threads;
    char name[32];
};

static void *worker_main(void *arg)
{
    floe_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->count == 0 && !p->stopping) {
            pthread_cond_wait(&p->not_empty, &p->mu);
        }
        if (p->count == 0 && p->stopping) {
            break;
        }
        job j = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        p->running++;
        pthread_cond_signal(&p->not_full);
        pthread_mutex_unlock(&p->mu);

        j.fn(j.arg);

        pthread_mutex_lock(&p->mu);
        p->running--;
        if (p->count == 0 && p->running == 0) {
            pthread_cond_broadcast(&p->idle);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

floe_pool *floe_pool_new(unsigned nthreads, size_t queue_cap, const char *name)
{
    FLOE_VERIFY(nthreads >= 1 && queue_cap >= 1);
    floe_pool *p = floe_xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->not_empty, NULL);
    pthread_cond_init(&p->not_full, NULL);
    pthread_cond_init(&p->idle, NULL);
    p->ring = floe_xcalloc(queue_cap, sizeof(job));
    p->cap = queue_cap;
    p->nthreads = nthreads;
    snprintf(p->name, sizeof(p->name), "%s", name ? name : "pool");
    p->threads = floe_xcalloc(nthreads, sizeof(pthread_t));
    for (unsigned i = 0; i < nthreads; i++) {
        int rc = pthread_create(&p->threads[i], NULL, worker_main, p);
        if (rc != 0) {
            floe_panic(__FILE__, __LINE__, "cannot start thread %u of pool %s: %s", i, p->name,
                       strerror(rc));
        }
        char tname[16]; /* the kernel's limit for thread names, NUL included */
        int n = snprintf(tname, sizeof(tname), "%.10s-%u", p->name, i % 1000);
        if (n > 0) {
            pthread_setname_np(p->threads[i], tname);
        }
    }
    return p;
}

static floe_status enqueue(floe_pool *p, floe_pool_fn fn, void *arg, bool block, floe_err *err)
{
    pthread_mutex_lock(&p->mu);
    while (block && p->count == p->cap && !p->stopping) {
        pthread_cond_wait(&p->not_full, &p->mu);
    }
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        return floe_err_set(err, FLOE_ERR_UNAVAILABLE, "pool %s is shutting down", p->name);
    }
    if (p->count == p->cap) {
        pthread_mutex_unlock(&p->mu);
        return floe_err_set(err, FLOE_ERR_UNAVAILABLE, "pool %s queue is full (%zu jobs)", p->name,
                            p->cap);
    }
    p->ring[(p->head + p->count) % p->cap] = (job){fn, arg};
    p->count++;
    pthread_cond_signal(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
    return FLOE_OK;
}

floe_status floe_pool_submit(floe_pool *p, floe_pool_fn fn, void *arg, floe_err *err)
{
    return enqueue(p, fn, arg, true, err);
}

floe_status floe_pool_try_submit(floe_pool *p, floe_pool_fn fn, void *arg, floe_err *err)
{
    return enqueue(p, fn, arg, false, err);
}

void floe_pool_wait(floe_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->count > 0 || p->running > 0) {
        pthread_cond_wait(&p->idle, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

size_t floe_pool_queued(floe_pool *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->count;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void floe_pool_free(floe_pool *p)
{
    if (p == NULL) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->not_empty);
    pthread_cond_broadcast(&p->not_full);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->not_empty);
    pthread_cond_destroy(&p->not_full);
    pthread_cond_destroy(&p->idle);
    free(p->ring);
    free(p->threads);
    free(p);
}
