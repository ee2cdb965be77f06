/* SPDX-License-Identifier: Apache-2.0 */
#include "floe_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static _Atomic int counter;

static void add_one(void *arg)
{
    (void)arg;
    atomic_fetch_add(&counter, 1);
}

static void test_runs_every_job(void **state)
{
    (void)state;
    floe_err err = {0};
    atomic_store(&counter, 0);
    floe_pool *p = floe_pool_new(4, 8, "test");
    for (int i = 0; i < 1000; i++) {
        FLOE_ASSERT_OK(floe_pool_submit(p, add_one, NULL, &err), &err); /* blocks when full */
    }
    floe_pool_wait(p);
    assert_int_equal(atomic_load(&counter), 1000);
    assert_int_equal(floe_pool_queued(p), 0);
    floe_pool_free(p);
}

typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool open;
} gate;

static void wait_gate(void *arg)
{
    gate *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    atomic_fetch_add(&counter, 1);
}

static void test_bounded_queue_refuses_when_full(void **state)
{
    (void)state;
    floe_err err = {0};
    atomic_store(&counter, 0);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    floe_pool *p = floe_pool_new(1, 2, "bounded");
    /* One job occupies the worker; wait until it has left the queue. */
    FLOE_ASSERT_OK(floe_pool_try_submit(p, wait_gate, &g, &err), &err);
    while (floe_pool_queued(p) != 0) {
        usleep(1000);
    }
    FLOE_ASSERT_OK(floe_pool_try_submit(p, wait_gate, &g, &err), &err);
    FLOE_ASSERT_OK(floe_pool_try_submit(p, wait_gate, &g, &err), &err);
    FLOE_ASSERT_ERR(floe_pool_try_submit(p, wait_gate, &g, &err), FLOE_ERR_UNAVAILABLE, &err,
                    "queue is full");
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    floe_pool_free(p); /* runs what is queued, then joins */
    assert_int_equal(atomic_load(&counter), 3);
}

FLOE_TEST_GROUP(pool)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_every_job),
        cmocka_unit_test(test_bounded_queue_refuses_when_full),
    };
    return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
