/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Growable byte buffer (also the string builder) and the vector. The buffer keeps a NUL after
 * its contents and can carry a maximum size, in the manner of curl's dynbuf, so code that
 * accumulates untrusted input (an HTTP body, a decompressed page) is bounded by construction.
 */
#include "floe/base.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== Buffer ==== */

void floe_buf_init(floe_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void floe_buf_fini(floe_buf *b)
{
    free(b->data);
    floe_buf_init(b, b->max);
}

void floe_buf_reset(floe_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

floe_status floe_buf_reserve(floe_buf *b, size_t extra, floe_err *err)
{
    /* Room for `extra` more bytes plus the terminating NUL. */
    if (extra > SIZE_MAX - b->len - 1) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "buffer size overflow");
    }
    size_t need = b->len + extra + 1;
    if (b->max != 0 && b->len + extra > b->max) {
        return floe_err_set(err, FLOE_ERR_TOO_BIG, "buffer limit of %zu bytes exceeded", b->max);
    }
    if (need <= b->cap) {
        return FLOE_OK;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    if (b->max != 0 && cap > b->max + 1) {
        cap = b->max + 1;
    }
    b->data = floe_xrealloc(b->data, cap);
    b->cap = cap;
    return FLOE_OK;
}

floe_status floe_buf_append(floe_buf *b, const void *p, size_t n, floe_err *err)
{
    floe_status st = floe_buf_reserve(b, n, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return FLOE_OK;
}

floe_status floe_buf_append_str(floe_buf *b, const char *s, floe_err *err)
{
    return floe_buf_append(b, s, strlen(s), err);
}

floe_status floe_buf_append_byte(floe_buf *b, uint8_t c, floe_err *err)
{
    return floe_buf_append(b, &c, 1, err);
}

floe_status floe_buf_vprintf(floe_buf *b, floe_err *err, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "bad format string");
    }
    floe_status st = floe_buf_reserve(b, (size_t)n, err);
    if (st != FLOE_OK) {
        return st;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return FLOE_OK;
}

floe_status floe_buf_printf(floe_buf *b, floe_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    floe_status st = floe_buf_vprintf(b, err, fmt, ap);
    va_end(ap);
    return st;
}

const char *floe_buf_cstr(const floe_buf *b)
{
    return b->data ? b->data : "";
}

char *floe_buf_detach(floe_buf *b, size_t *len_out)
{
    if (b->data == NULL) {
        floe_buf_reserve(b, 0, NULL); /* cannot fail: no limit is reached by 0 bytes */
        b->data[0] = '\0';
    }
    char *p = b->data;
    if (len_out != NULL) {
        *len_out = b->len;
    }
    floe_buf_init(b, b->max);
    return p;
}

/* ==== Vector ==== */

void floe_vec_init(floe_vec *v, size_t elem_size)
{
    assert(elem_size > 0);
    v->data = NULL;
    v->n = 0;
    v->cap = 0;
    v->elem_size = elem_size;
}

void floe_vec_fini(floe_vec *v)
{
    free(v->data);
    floe_vec_init(v, v->elem_size);
}

void floe_vec_clear(floe_vec *v)
{
    v->n = 0;
}

void floe_vec_reserve(floe_vec *v, size_t n)
{
    if (n <= v->cap) {
        return;
    }
    size_t cap = v->cap ? v->cap : 8;
    while (cap < n) {
        cap *= 2;
    }
    size_t bytes;
    FLOE_VERIFY(!floe_mul_overflow(cap, v->elem_size, &bytes));
    v->data = floe_xrealloc(v->data, bytes);
    v->cap = cap;
}

void *floe_vec_push(floe_vec *v)
{
    floe_vec_reserve(v, v->n + 1);
    void *slot = (char *)v->data + v->n * v->elem_size;
    memset(slot, 0, v->elem_size);
    v->n++;
    return slot;
}

void floe_vec_push_copy(floe_vec *v, const void *elem)
{
    memcpy(floe_vec_push(v), elem, v->elem_size);
}

void *floe_vec_at(const floe_vec *v, size_t i)
{
    assert(i < v->n);
    return (char *)v->data + i * v->elem_size;
}

void floe_vec_pop(floe_vec *v)
{
    assert(v->n > 0);
    v->n--;
}

void floe_vec_remove(floe_vec *v, size_t i)
{
    assert(i < v->n);
    char *base = v->data;
    memmove(base + i * v->elem_size, base + (i + 1) * v->elem_size, (v->n - i - 1) * v->elem_size);
    v->n--;
}

int floe_str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void floe_vec_sort(floe_vec *v, int (*cmp)(const void *, const void *))
{
    if (v->n > 1) {
        qsort(v->data, v->n, v->elem_size, cmp);
    }
}
