/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statistics orderings and bounds for the writer (parquet.thrift ColumnOrder, LogicalTypes.md
 * sort orders): signed integers for INT32/INT64 (dates, times, timestamps, decimals), unsigned for
 * UINT logical types, IEEE order without NaN for floats, unsigned lexicographic bytes for
 * BYTE_ARRAY/FIXED_LEN_BYTE_ARRAY, and signed two's-complement big-endian for decimals stored as
 * bytes. INT96, INTERVAL and FLOAT16 have no (implemented) order and get no min/max.
 */
#include "writer_int.h"

#include <string.h>

pq_order pq_order_of(const floe_pq_node *leaf)
{
    const floe_pq_logical *lt = &leaf->logical;
    if (lt->kind == FLOE_PQ_LT_OTHER) {
        return PQ_ORDER_NONE;
    }
    bool is_unsigned = lt->kind == FLOE_PQ_LT_INTEGER && !lt->is_signed;
    switch (leaf->type) {
    case FLOE_PQ_BOOLEAN:
        return PQ_ORDER_BOOL;
    case FLOE_PQ_INT32:
        return is_unsigned ? PQ_ORDER_U32 : PQ_ORDER_I32;
    case FLOE_PQ_INT64:
        return is_unsigned ? PQ_ORDER_U64 : PQ_ORDER_I64;
    case FLOE_PQ_INT96:
        return PQ_ORDER_NONE;
    case FLOE_PQ_FLOAT:
        return PQ_ORDER_F32;
    case FLOE_PQ_DOUBLE:
        return PQ_ORDER_F64;
    case FLOE_PQ_BYTE_ARRAY:
        return lt->kind == FLOE_PQ_LT_DECIMAL ? PQ_ORDER_DECIMAL : PQ_ORDER_BYTES;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        if (lt->kind == FLOE_PQ_LT_INTERVAL || lt->kind == FLOE_PQ_LT_FLOAT16) {
            return PQ_ORDER_NONE;
        }
        return lt->kind == FLOE_PQ_LT_DECIMAL ? PQ_ORDER_DECIMAL : PQ_ORDER_BYTES;
    }
    return PQ_ORDER_NONE;
}

bool pq_order_is_bytes(pq_order o)
{
    return o == PQ_ORDER_BYTES || o == PQ_ORDER_DECIMAL;
}

void pq_minmax_init(pq_minmax *m)
{
    memset(m, 0, sizeof(*m));
    floe_buf_init(&m->bmin, 0);
    floe_buf_init(&m->bmax, 0);
}

void pq_minmax_fini(pq_minmax *m)
{
    floe_buf_fini(&m->bmin);
    floe_buf_fini(&m->bmax);
    m->has = false;
}

void pq_minmax_reset(pq_minmax *m)
{
    m->has = false;
    floe_buf_reset(&m->bmin);
    floe_buf_reset(&m->bmax);
}

/* Big-endian two's complement of any length (empty is zero), compared by value. */
static int decimal_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    bool aneg = alen > 0 && (a[0] & 0x80);
    bool bneg = blen > 0 && (b[0] & 0x80);
    if (aneg != bneg) {
        return aneg ? -1 : 1;
    }
    uint8_t pad = aneg ? 0xFF : 0x00;
    size_t n = alen > blen ? alen : blen;
    for (size_t k = 0; k < n; k++) {
        /* byte k of the sign-extended n-byte forms */
        uint8_t x = k < n - alen ? pad : a[k - (n - alen)];
        uint8_t y = k < n - blen ? pad : b[k - (n - blen)];
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}

int pq_bytes_cmp(pq_order o, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    if (o == PQ_ORDER_DECIMAL) {
        return decimal_cmp(a, alen, b, blen);
    }
    size_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

int pq_num_cmp(pq_order o, pq_num a, pq_num b)
{
    switch (o) {
    case PQ_ORDER_U32:
    case PQ_ORDER_U64:
        return a.u < b.u ? -1 : a.u > b.u ? 1 : 0;
    case PQ_ORDER_F32:
    case PQ_ORDER_F64:
        return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
    default:
        return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    }
}

static void set_bytes(floe_buf *b, const uint8_t *p, size_t len)
{
    floe_buf_reset(b);
    floe_status st = floe_buf_append(b, p, len, NULL);
    FLOE_VERIFY(st == FLOE_OK);
}

void pq_minmax_add_num(pq_order o, pq_minmax *m, pq_num lo, pq_num hi)
{
    if (!m->has) {
        m->min = lo;
        m->max = hi;
        m->has = true;
        return;
    }
    if (pq_num_cmp(o, lo, m->min) < 0) {
        m->min = lo;
    }
    if (pq_num_cmp(o, hi, m->max) > 0) {
        m->max = hi;
    }
}

void pq_minmax_add_bytes(pq_order o, pq_minmax *m, const uint8_t *lo, size_t lo_len,
                         const uint8_t *hi, size_t hi_len)
{
    if (!m->has) {
        set_bytes(&m->bmin, lo, lo_len);
        set_bytes(&m->bmax, hi, hi_len);
        m->has = true;
        return;
    }
    if (pq_bytes_cmp(o, lo, lo_len, (const uint8_t *)m->bmin.data, m->bmin.len) < 0) {
        set_bytes(&m->bmin, lo, lo_len);
    }
    if (pq_bytes_cmp(o, hi, hi_len, (const uint8_t *)m->bmax.data, m->bmax.len) > 0) {
        set_bytes(&m->bmax, hi, hi_len);
    }
}

void pq_minmax_merge(pq_order o, pq_minmax *into, const pq_minmax *from)
{
    if (!from->has) {
        return;
    }
    if (pq_order_is_bytes(o)) {
        pq_minmax_add_bytes(o, into, (const uint8_t *)from->bmin.data, from->bmin.len,
                            (const uint8_t *)from->bmax.data, from->bmax.len);
    } else {
        pq_minmax_add_num(o, into, from->min, from->max);
    }
}

static void put(floe_buf *b, const void *p, size_t n)
{
    floe_status st = floe_buf_append(b, p, n, NULL);
    FLOE_VERIFY(st == FLOE_OK);
}

static void put_num(pq_order o, pq_num v, bool is_max, floe_buf *out)
{
    uint8_t tmp[8];
    switch (o) {
    case PQ_ORDER_BOOL:
        tmp[0] = v.i ? 1 : 0;
        put(out, tmp, 1);
        break;
    case PQ_ORDER_I32:
    case PQ_ORDER_U32:
        floe_store_u32le(tmp, (uint32_t)v.u);
        put(out, tmp, 4);
        break;
    case PQ_ORDER_I64:
    case PQ_ORDER_U64:
        floe_store_u64le(tmp, v.u);
        put(out, tmp, 8);
        break;
    case PQ_ORDER_F32: {
        float f = (float)v.d;
        if (f == 0.0f) {
            f = is_max ? 0.0f : -0.0f;
        }
        uint32_t bits;
        memcpy(&bits, &f, 4);
        floe_store_u32le(tmp, bits);
        put(out, tmp, 4);
        break;
    }
    case PQ_ORDER_F64: {
        double d = v.d;
        if (d == 0.0) {
            d = is_max ? 0.0 : -0.0;
        }
        uint64_t bits;
        memcpy(&bits, &d, 8);
        floe_store_u64le(tmp, bits);
        put(out, tmp, 8);
        break;
    }
    default:
        break;
    }
}

bool pq_minmax_plain(pq_order o, const pq_minmax *m, size_t truncate, floe_buf *min, floe_buf *max,
                     bool *min_exact, bool *max_exact)
{
    *min_exact = *max_exact = true;
    if (o == PQ_ORDER_NONE || !m->has) {
        return false;
    }
    if (!pq_order_is_bytes(o)) {
        put_num(o, m->min, false, min);
        put_num(o, m->max, true, max);
        return true;
    }
    const uint8_t *lo = (const uint8_t *)m->bmin.data, *hi = (const uint8_t *)m->bmax.data;
    size_t lo_len = m->bmin.len, hi_len = m->bmax.len;
    /* Decimals are short and a prefix of a number is not a bound: never truncated. */
    if (o == PQ_ORDER_BYTES && truncate > 0 && lo_len > truncate) {
        lo_len = truncate;
        *min_exact = false;
    }
    put(min, lo, lo_len);
    if (o == PQ_ORDER_BYTES && truncate > 0 && hi_len > truncate) {
        /* The shortest upper bound from the prefix: increment its last byte below 0xFF and cut
         * after it. All 0xFF: keep the exact value. */
        size_t k = truncate;
        while (k > 0 && hi[k - 1] == 0xFF) {
            k--;
        }
        if (k > 0) {
            put(max, hi, k);
            max->data[max->len - 1] = (char)(hi[k - 1] + 1);
            *max_exact = false;
            return true;
        }
    }
    put(max, hi, hi_len);
    return true;
}

bool pq_minmax_from_plain(pq_order o, const floe_pq_node *leaf, floe_str min, floe_str max,
                          pq_minmax *out)
{
    (void)leaf;
    pq_minmax_reset(out);
    const uint8_t *lo = (const uint8_t *)min.ptr, *hi = (const uint8_t *)max.ptr;
    pq_num a, b;
    switch (o) {
    case PQ_ORDER_BOOL:
        if (min.len != 1 || max.len != 1) {
            return false;
        }
        a.i = lo[0] != 0;
        b.i = hi[0] != 0;
        break;
    case PQ_ORDER_I32:
        if (min.len != 4 || max.len != 4) {
            return false;
        }
        a.i = (int32_t)floe_load_u32le(lo);
        b.i = (int32_t)floe_load_u32le(hi);
        break;
    case PQ_ORDER_U32:
        if (min.len != 4 || max.len != 4) {
            return false;
        }
        a.u = floe_load_u32le(lo);
        b.u = floe_load_u32le(hi);
        break;
    case PQ_ORDER_I64:
    case PQ_ORDER_U64:
        if (min.len != 8 || max.len != 8) {
            return false;
        }
        a.u = floe_load_u64le(lo);
        b.u = floe_load_u64le(hi);
        break;
    case PQ_ORDER_F32: {
        if (min.len != 4 || max.len != 4) {
            return false;
        }
        uint32_t x = floe_load_u32le(lo), y = floe_load_u32le(hi);
        float fx, fy;
        memcpy(&fx, &x, 4);
        memcpy(&fy, &y, 4);
        a.d = fx;
        b.d = fy;
        break;
    }
    case PQ_ORDER_F64: {
        if (min.len != 8 || max.len != 8) {
            return false;
        }
        uint64_t x = floe_load_u64le(lo), y = floe_load_u64le(hi);
        memcpy(&a.d, &x, 8);
        memcpy(&b.d, &y, 8);
        break;
    }
    case PQ_ORDER_BYTES:
    case PQ_ORDER_DECIMAL:
        pq_minmax_add_bytes(o, out, lo, min.len, hi, max.len);
        return pq_bytes_cmp(o, lo, min.len, hi, max.len) <= 0;
    default:
        return false;
    }
    if ((o == PQ_ORDER_F32 || o == PQ_ORDER_F64) && (a.d != a.d || b.d != b.d)) {
        return false; /* NaN bounds are not bounds */
    }
    if (pq_num_cmp(o, a, b) > 0) {
        return false;
    }
    pq_minmax_add_num(o, out, a, b);
    return true;
}

/* Big-endian two's complement into a 128-bit integer; false when it does not fit. */
static bool decimal_from_bytes(const uint8_t *p, size_t len, __int128 *out)
{
    bool neg = len > 0 && (p[0] & 0x80);
    uint8_t pad = neg ? 0xFF : 0x00;
    while (len > 16) {
        if (p[0] != pad) {
            return false;
        }
        p++;
        len--;
    }
    if (len == 16 && ((p[0] & 0x80) != 0) != neg) {
        return false;
    }
    unsigned __int128 v = neg ? ~(unsigned __int128)0 : 0;
    for (size_t k = 0; k < len; k++) {
        v = (v << 8) | p[k];
    }
    *out = (__int128)v;
    return true;
}

bool pq_minmax_value(const floe_pq_node *leaf, pq_order o, const pq_minmax *m, bool upper,
                     floe_arena *a, floe_value *out)
{
    if (!m->has || o == PQ_ORDER_NONE) {
        return false;
    }
    const floe_pq_logical *lt = &leaf->logical;
    pq_num v = upper ? m->max : m->min;
    switch (o) {
    case PQ_ORDER_BOOL:
        *out = floe_value_bool(v.i != 0);
        return true;
    case PQ_ORDER_I32:
        if (lt->kind == FLOE_PQ_LT_DATE) {
            *out = floe_value_date((int32_t)v.i);
        } else if (lt->kind == FLOE_PQ_LT_TIME) {
            *out = floe_value_time(v.i, lt->unit);
        } else if (lt->kind == FLOE_PQ_LT_DECIMAL) {
            *out = floe_value_decimal(v.i, lt->precision, lt->scale);
        } else {
            *out = floe_value_int((int32_t)v.i);
        }
        return true;
    case PQ_ORDER_U32:
        *out = floe_value_int((int32_t)(uint32_t)v.u);
        out->flags |= FLOE_VF_UNSIGNED;
        return true;
    case PQ_ORDER_I64:
        if (lt->kind == FLOE_PQ_LT_TIMESTAMP) {
            *out = floe_value_timestamp(v.i, lt->unit, lt->utc);
        } else if (lt->kind == FLOE_PQ_LT_TIME) {
            *out = floe_value_time(v.i, lt->unit);
        } else if (lt->kind == FLOE_PQ_LT_DECIMAL) {
            *out = floe_value_decimal(v.i, lt->precision, lt->scale);
        } else {
            *out = floe_value_long(v.i);
        }
        return true;
    case PQ_ORDER_U64:
        *out = floe_value_long((int64_t)v.u);
        out->flags |= FLOE_VF_UNSIGNED;
        return true;
    case PQ_ORDER_F32: {
        float f = (float)v.d;
        if (f == 0.0f) {
            f = upper ? 0.0f : -0.0f;
        }
        *out = floe_value_float(f);
        return true;
    }
    case PQ_ORDER_F64: {
        double d = v.d;
        if (d == 0.0) {
            d = upper ? 0.0 : -0.0;
        }
        *out = floe_value_double(d);
        return true;
    }
    default:
        break;
    }
    const floe_buf *b = upper ? &m->bmax : &m->bmin;
    const uint8_t *p = (const uint8_t *)b->data;
    if (o == PQ_ORDER_DECIMAL) {
        __int128 d;
        if (!decimal_from_bytes(p, b->len, &d)) {
            return false;
        }
        *out = floe_value_decimal(d, lt->precision, lt->scale);
        return true;
    }
    if (lt->kind == FLOE_PQ_LT_UUID && b->len == 16) {
        *out = floe_value_uuid(p);
        return true;
    }
    const uint8_t *copy = b->len > 0 ? floe_arena_memdup(a, p, b->len) : (const uint8_t *)"";
    if (copy == NULL) {
        return false;
    }
    switch (lt->kind) {
    case FLOE_PQ_LT_STRING:
    case FLOE_PQ_LT_ENUM:
    case FLOE_PQ_LT_JSON:
        *out = floe_value_string((const char *)copy, b->len);
        break;
    default:
        *out = leaf->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY ? floe_value_fixed(copy, b->len)
                                                          : floe_value_binary(copy, b->len);
        break;
    }
    return true;
}

static pq_num plain_num(pq_order o, const uint8_t *p)
{
    pq_num v = {0};
    switch (o) {
    case PQ_ORDER_BOOL:
        v.i = p[0] != 0;
        break;
    case PQ_ORDER_I32:
        v.i = (int32_t)floe_load_u32le(p);
        break;
    case PQ_ORDER_U32:
        v.u = floe_load_u32le(p);
        break;
    case PQ_ORDER_I64:
    case PQ_ORDER_U64:
        v.u = floe_load_u64le(p);
        break;
    case PQ_ORDER_F32: {
        uint32_t bits = floe_load_u32le(p);
        float f;
        memcpy(&f, &bits, 4);
        v.d = f;
        break;
    }
    case PQ_ORDER_F64: {
        uint64_t bits = floe_load_u64le(p);
        memcpy(&v.d, &bits, 8);
        break;
    }
    default:
        break;
    }
    return v;
}

int pq_plain_cmp(pq_order o, floe_str a, floe_str b)
{
    if (pq_order_is_bytes(o)) {
        return pq_bytes_cmp(o, (const uint8_t *)a.ptr, a.len, (const uint8_t *)b.ptr, b.len);
    }
    size_t need = o == PQ_ORDER_BOOL                                            ? 1
                  : o == PQ_ORDER_I64 || o == PQ_ORDER_U64 || o == PQ_ORDER_F64 ? 8
                                                                                : 4;
    if (a.len < need || b.len < need) {
        return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
    }
    return pq_num_cmp(o, plain_num(o, (const uint8_t *)a.ptr),
                      plain_num(o, (const uint8_t *)b.ptr));
}
