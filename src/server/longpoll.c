/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The long-poll of the optimizer protocol: a poll that finds no task and carries "wait-ms" is
 * held on the server until tasks may be available to its optimizer's group or its wait passes,
 * without blocking a libmicrohttpd pool thread: the handler suspends the connection
 * (MHD_suspend_connection) and records the request here as a waiter. The optimizer service's
 * tasks hook (called when a process is submitted, a task is planned again or finishes, an
 * optimizer registers) resumes the waiters of that group; a timer thread resumes waiters whose
 * deadline passed; stopping the server resumes them all. A resumed connection runs the handler
 * again, which polls again (see h_poll in rest.c): it gets a task, waits again until its
 * deadline, or answers {"task": null}.
 *
 * Invariants: a request is in the waiter list exactly while its connection is suspended; it
 * leaves the list under the lock before anyone resumes it, and exactly one thread resumes it.
 * libmicrohttpd neither times out nor completes a suspended connection (and the server resumes
 * every waiter before MHD_stop_daemon), so a listed request is never freed under us, and no
 * libmicrohttpd call is made with our lock held. The lost-wake-up race (tasks appear between the
 * handler's poll and its suspension) is closed by a generation counter the hook bumps: a
 * suspension that sees a newer generation than the one read before the poll resumes at once.
 */
#include "server_int.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct server_waits {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* the timer: a waiter was added, or stop (CLOCK_MONOTONIC) */
    http_req *head;    /* suspended polls, doubly linked through wait_prev/wait_next */
    uint64_t gen;      /* bumped by every tasks hook call */
    bool stopping;
    bool started;
    pthread_t timer;
};

/* Unlink `r` from the waiter list (lock held). */
static void unlink_waiter(server_waits *w, http_req *r)
{
    if (r->wait_prev != NULL) {
        r->wait_prev->wait_next = r->wait_next;
    } else {
        w->head = r->wait_next;
    }
    if (r->wait_next != NULL) {
        r->wait_next->wait_prev = r->wait_prev;
    }
    r->wait_prev = r->wait_next = NULL;
}

/*
 * Resume a chain of requests already taken off the list (lock not held). A resumed request may
 * be answered and freed by its pool thread at once: read what is needed before resuming it.
 */
static void resume_chain(http_req *r)
{
    while (r != NULL) {
        http_req *next = r->resume_next;
        struct MHD_Connection *conn = r->conn;
        r->resume_next = NULL;
        MHD_resume_connection(conn);
        r = next;
    }
}

static struct timespec mono_deadline(int64_t us)
{
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};
    return ts;
}

/* The timer: resume waiters whose deadline passed; sleep until the earliest next one. */
static void *timer_main(void *ud)
{
    server_waits *w = ud;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        int64_t now = floe_time_mono_us();
        int64_t next = now + 1000000; /* look again at least every second */
        http_req *due = NULL;
        for (http_req *r = w->head, *n = NULL; r != NULL; r = n) {
            n = r->wait_next;
            if (r->wait_deadline_us <= now) {
                unlink_waiter(w, r);
                r->resume_next = due;
                due = r;
            } else if (r->wait_deadline_us < next) {
                next = r->wait_deadline_us;
            }
        }
        if (due != NULL) {
            pthread_mutex_unlock(&w->mu);
            resume_chain(due);
            pthread_mutex_lock(&w->mu);
            continue;
        }
        struct timespec ts = mono_deadline(next);
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

server_waits *server_waits_new(void)
{
    server_waits *w = floe_xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    return w;
}

floe_status server_waits_start(server_waits *w, floe_err *err)
{
    int rc = pthread_create(&w->timer, NULL, timer_main, w);
    if (rc != 0) {
        return floe_err_errno(err, rc, "start the long-poll timer");
    }
    w->started = true;
    return FLOE_OK;
}

void server_waits_tasks_hook(void *ud, const char *group)
{
    server_waits *w = ud;
    pthread_mutex_lock(&w->mu);
    w->gen++;
    http_req *due = NULL;
    for (http_req *r = w->head, *n = NULL; r != NULL; r = n) {
        n = r->wait_next;
        if (strcmp(r->wait_group, group) == 0) {
            unlink_waiter(w, r);
            r->resume_next = due;
            due = r;
        }
    }
    pthread_mutex_unlock(&w->mu);
    resume_chain(due);
}

uint64_t server_waits_gen(server_waits *w)
{
    pthread_mutex_lock(&w->mu);
    uint64_t g = w->gen;
    pthread_mutex_unlock(&w->mu);
    return g;
}

bool server_waits_suspend(server_waits *w, http_req *r, const char *group, uint64_t gen)
{
    pthread_mutex_lock(&w->mu);
    bool stopping = w->stopping;
    pthread_mutex_unlock(&w->mu);
    if (stopping) {
        return false;
    }
    snprintf(r->wait_group, sizeof(r->wait_group), "%s", group);
    MHD_suspend_connection(r->conn);
    r->suspended = true;
    pthread_mutex_lock(&w->mu);
    bool again = w->stopping || w->gen != gen;
    if (!again) {
        r->wait_prev = NULL;
        r->wait_next = w->head;
        if (w->head != NULL) {
            w->head->wait_prev = r;
        }
        w->head = r;
        pthread_cond_signal(&w->cv); /* the timer may need to wake earlier */
    }
    pthread_mutex_unlock(&w->mu);
    if (again) {
        /* Tasks changed since the poll (or the server stops): run the handler again now. */
        MHD_resume_connection(r->conn);
    }
    return true;
}

bool server_waits_client_gone(http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci == NULL) {
        return false;
    }
    char c;
    ssize_t n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

void server_waits_stop(server_waits *w)
{
    if (w == NULL) {
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    http_req *due = NULL;
    while (w->head != NULL) {
        http_req *r = w->head;
        unlink_waiter(w, r);
        r->resume_next = due;
        due = r;
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    resume_chain(due);
    if (w->started) {
        pthread_join(w->timer, NULL);
        w->started = false;
    }
}

void server_waits_free(server_waits *w)
{
    if (w == NULL) {
        return;
    }
    server_waits_stop(w);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
