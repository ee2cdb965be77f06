/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floe base runtime: the pieces every other module stands on.
 *
 * Errors are a status code plus a message in a caller-owned floe_err (the first error set wins,
 * callers on the way up add context). Memory is either heap (floe_xmalloc aborts on exhaustion)
 * or an arena with a hard size limit for per-request and per-task work. Untrusted bytes are read
 * through a bounds-checked cursor. Nothing here prints except the logger, and nothing exits
 * except the out-of-memory and FLOE_VERIFY paths.
 *
 * Sections: status and errors; memory; strings and numbers; logging; arena; buffer; vector;
 * hash map; cursor; time; random and UUID; encodings (base64, hex); checksums and hashes;
 * thread pool.
 */
#ifndef FLOE_BASE_H
#define FLOE_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FLOE_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#define FLOE_NORETURN __attribute__((noreturn))
#define FLOE_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ==== Status and errors ==== */

/*
 * Status codes stay coarse: they say what kind of failure happened, the message says which
 * value and where. One table (floe_status_info) maps each code to a CLI exit code and an HTTP
 * status, so the CLI and the server agree.
 */
typedef enum floe_status {
    FLOE_OK = 0,
    FLOE_ERR_INVALID,       /* bad argument, request or value supplied by the caller */
    FLOE_ERR_USAGE,         /* wrong command-line use */
    FLOE_ERR_CORRUPT,       /* malformed bytes in a file or stream */
    FLOE_ERR_UNSUPPORTED,   /* valid but not implemented (codec, type, format version) */
    FLOE_ERR_NOT_FOUND,     /* file, table, namespace, key, ... does not exist */
    FLOE_ERR_EXISTS,        /* would create something that already exists */
    FLOE_ERR_CONFLICT,      /* a concurrent change won (compare-and-swap lost, validation) */
    FLOE_ERR_TOO_BIG,       /* a size or count is over a limit */
    FLOE_ERR_IO,            /* the operating system or storage failed */
    FLOE_ERR_AUTH,          /* missing or bad credentials */
    FLOE_ERR_FORBIDDEN,     /* authenticated but not allowed */
    FLOE_ERR_TIMEOUT,       /* a deadline passed */
    FLOE_ERR_UNAVAILABLE,   /* temporarily unable (queue full, shutting down, store down) */
    FLOE_ERR_STATE_UNKNOWN, /* an operation may or may not have taken effect */
    FLOE_ERR_CANCELED,      /* stopped on request */
    FLOE_ERR_INTERNAL,      /* a bug: an invariant did not hold */
    FLOE_STATUS_COUNT_
} floe_status;

/* What a status means to the outside world. */
typedef struct floe_status_info {
    const char *name; /* short lowercase name, e.g. "not found" */
    int exit_code;    /* CLI: 0 ok, 1 failure, 2 usage error */
    int http_status;  /* server: the HTTP status a request failing with this code answers */
} floe_status_info;

/* The row of the mapping table for `st`; an out-of-range code maps like FLOE_ERR_INTERNAL. */
const floe_status_info *floe_status_info_get(floe_status st);
const char *floe_status_name(floe_status st);
int floe_status_exit_code(floe_status st);
int floe_status_http(floe_status st);

#define FLOE_ERR_MSG_MAX 1024

/*
 * The error sink. Zero-initialise it (`floe_err err = {0};`). The first floe_err_set() wins;
 * later sets are ignored until floe_err_clear(). Every function taking `floe_err *err` accepts
 * NULL when the caller only wants the status.
 */
typedef struct floe_err {
    floe_status code;
    char msg[FLOE_ERR_MSG_MAX];
} floe_err;

/*
 * Record an error unless one is already recorded. Returns the recorded code (the earlier one
 * when an error was already set), so `return floe_err_set(...)` propagates consistently.
 */
floe_status floe_err_set(floe_err *err, floe_status code, const char *fmt, ...) FLOE_PRINTF(3, 4);
floe_status floe_err_setv(floe_err *err, floe_status code, const char *fmt, va_list ap)
    FLOE_PRINTF(3, 0);

/*
 * Prefix the recorded message with context ("ctx: <message>") and return the recorded code.
 * Called with no error recorded, it records FLOE_ERR_INTERNAL, since that is a bug. With a NULL
 * sink it returns the code of the last error set on this thread, so `return floe_err_wrap(err,
 * ...)` propagates the real cause even when the caller passed no sink.
 */
floe_status floe_err_wrap(floe_err *err, const char *fmt, ...) FLOE_PRINTF(2, 3);

/* Set errno's description as an FLOE_ERR_IO (or NOT_FOUND / EXISTS / ... as errno says). */
floe_status floe_err_errno(floe_err *err, int errnum, const char *fmt, ...) FLOE_PRINTF(3, 4);

/* Map an errno value to the closest status (ENOENT -> NOT_FOUND, EEXIST -> EXISTS, ...). */
floe_status floe_status_from_errno(int errnum);

void floe_err_clear(floe_err *err);

/* Abort with a message when `cond` is false; stays on in release builds. */
#define FLOE_VERIFY(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            floe_panic(__FILE__, __LINE__, "verification failed: %s", #cond);                      \
        }                                                                                          \
    } while (0)

FLOE_NORETURN void floe_panic(const char *file, int line, const char *fmt, ...) FLOE_PRINTF(3, 4);

/* ==== Memory ==== */

/* malloc family that abort on exhaustion; sizes from untrusted input must be checked first. */
void *floe_xmalloc(size_t n);
void *floe_xcalloc(size_t count, size_t size);
void *floe_xrealloc(void *p, size_t n);
char *floe_xstrdup(const char *s);
char *floe_xstrndup(const char *s, size_t n);
/* printf into a new heap string; free() it. */
char *floe_xasprintf(const char *fmt, ...) FLOE_PRINTF(1, 2);

/* True when a * b overflows size_t; otherwise stores the product. */
bool floe_mul_overflow(size_t a, size_t b, size_t *out);

/* ==== Strings and numbers ==== */

/* A borrowed byte string; not NUL-terminated in general. */
typedef struct floe_str {
    const char *ptr;
    size_t len;
} floe_str;

#define FLOE_STR_LIT(s) ((floe_str){(s), sizeof(s) - 1})
floe_str floe_str_c(const char *s); /* from a C string; NULL gives an empty string */
bool floe_str_eq(floe_str a, floe_str b);
bool floe_str_eq_c(floe_str a, const char *b);
bool floe_starts_with(const char *s, const char *prefix);
bool floe_ends_with(const char *s, const char *suffix);

/*
 * Strict number parsing for command lines, properties and headers: the whole string must be
 * the number (no leading/trailing junk, no empty string), in range for the type.
 */
floe_status floe_parse_i64(const char *s, int64_t *out, floe_err *err);
floe_status floe_parse_i32(const char *s, int32_t *out, floe_err *err);
floe_status floe_parse_u64(const char *s, uint64_t *out, floe_err *err);
floe_status floe_parse_double(const char *s, double *out, floe_err *err);
/* "true"/"false" (any case), also "1"/"0", "yes"/"no", "on"/"off". */
floe_status floe_parse_bool(const char *s, bool *out, floe_err *err);
/* A byte size: "1048576", "64k", "128MB", "1GiB", "2g" (binary multiples). */
floe_status floe_parse_size(const char *s, uint64_t *out, floe_err *err);

/* ==== Logging ==== */

typedef enum floe_log_level {
    FLOE_LOG_DEBUG = 0,
    FLOE_LOG_INFO,
    FLOE_LOG_WARN,
    FLOE_LOG_ERROR,
    FLOE_LOG_OFF
} floe_log_level;

/* Where finished lines go; one call per line, `line` ends with '\n'. NULL restores stderr. */
typedef void (*floe_log_sink)(void *ud, floe_log_level level, const char *line, size_t len);

void floe_log_set_level(floe_log_level level);
floe_log_level floe_log_get_level(void);
bool floe_log_enabled(floe_log_level level);
/* Parse "debug", "info", "warn"/"warning", "error", "off". */
floe_status floe_log_level_parse(const char *s, floe_log_level *out, floe_err *err);
const char *floe_log_level_name(floe_log_level level);
void floe_log_set_sink(floe_log_sink sink, void *ud);

/*
 * The calling thread's request or task id, added to every line as `id=...` (copied; NULL or ""
 * clears it). Servers set it per request; optimizer threads per task.
 */
void floe_log_set_context(const char *id);
const char *floe_log_get_context(void);

/*
 * Write one logfmt line: `ts=<ISO time> level=<lvl> component=<c> [id=<ctx>] msg="<text>"`,
 * followed by the optional `key=value` pairs in `kv` (nkv strings: key, value, key, value...).
 * Values are quoted when they need it; control characters are escaped.
 */
void floe_log_write(floe_log_level level, const char *component, const char *fmt, ...)
    FLOE_PRINTF(3, 4);
void floe_log_writev(floe_log_level level, const char *component, const char *const *kv, size_t nkv,
                     const char *fmt, va_list ap) FLOE_PRINTF(5, 0);
void floe_log_kv(floe_log_level level, const char *component, const char *const *kv, size_t nkv,
                 const char *fmt, ...) FLOE_PRINTF(5, 6);

#define FLOE_LOG_AT_(lvl, comp, ...)                                                               \
    do {                                                                                           \
        if (floe_log_enabled(lvl)) {                                                               \
            floe_log_write((lvl), (comp), __VA_ARGS__);                                            \
        }                                                                                          \
    } while (0)
#define FLOE_LOG_DEBUG(comp, ...) FLOE_LOG_AT_(FLOE_LOG_DEBUG, comp, __VA_ARGS__)
#define FLOE_LOG_INFO(comp, ...) FLOE_LOG_AT_(FLOE_LOG_INFO, comp, __VA_ARGS__)
#define FLOE_LOG_WARN(comp, ...) FLOE_LOG_AT_(FLOE_LOG_WARN, comp, __VA_ARGS__)
#define FLOE_LOG_ERROR(comp, ...) FLOE_LOG_AT_(FLOE_LOG_ERROR, comp, __VA_ARGS__)

/* ==== Arena ==== */

/*
 * A bump allocator with a hard limit, one per request or task: everything goes at once with
 * floe_arena_free(). An allocation that would pass the limit returns NULL and makes the arena
 * "failed" (sticky) so a caller deep in a parser can return NULL and the top level reports
 * FLOE_ERR_TOO_BIG through floe_arena_check(). Not thread-safe.
 */
typedef struct floe_arena floe_arena;

#define FLOE_ARENA_UNLIMITED SIZE_MAX
#define FLOE_REQUEST_ARENA_MAX ((size_t)256 << 20) /* 256 MiB */

/* A new arena that hands out at most `limit` bytes in total. Free with floe_arena_free(). */
floe_arena *floe_arena_new(size_t limit);
void floe_arena_free(floe_arena *a);
/* Release everything allocated so far, keep the first block for reuse; clears "failed". */
void floe_arena_reset(floe_arena *a);

/* `n` bytes aligned for any type; NULL past the limit. Valid until free/reset. */
void *floe_arena_alloc(floe_arena *a, size_t n);
/* Zeroed `count * size` bytes; NULL on overflow or past the limit. */
void *floe_arena_calloc(floe_arena *a, size_t count, size_t size);
void *floe_arena_memdup(floe_arena *a, const void *p, size_t n);
/* NUL-terminated copies; NULL past the limit (floe_arena_strdup(a, NULL) is NULL too). */
char *floe_arena_strdup(floe_arena *a, const char *s);
char *floe_arena_strndup(floe_arena *a, const char *s, size_t n);
char *floe_arena_sprintf(floe_arena *a, const char *fmt, ...) FLOE_PRINTF(2, 3);

size_t floe_arena_used(const floe_arena *a); /* bytes handed out since new/reset */
size_t floe_arena_limit(const floe_arena *a);
bool floe_arena_failed(const floe_arena *a);
/* FLOE_OK, or FLOE_ERR_TOO_BIG naming the limit when an allocation was refused. */
floe_status floe_arena_check(const floe_arena *a, floe_err *err);

/* ==== Growable byte buffer and string builder ==== */

/*
 * Caller storage: floe_buf_init() / floe_buf_fini(). `data` is always NUL-terminated after `len`
 * bytes (so it doubles as a string builder) and is NULL until the first append. A buffer created
 * with a nonzero `max` refuses to grow past it with FLOE_ERR_TOO_BIG.
 */
typedef struct floe_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0: no limit */
} floe_buf;

void floe_buf_init(floe_buf *b, size_t max);
void floe_buf_fini(floe_buf *b);
void floe_buf_reset(floe_buf *b); /* len = 0, keeps the memory */
floe_status floe_buf_reserve(floe_buf *b, size_t extra, floe_err *err);
floe_status floe_buf_append(floe_buf *b, const void *p, size_t n, floe_err *err);
floe_status floe_buf_append_str(floe_buf *b, const char *s, floe_err *err);
floe_status floe_buf_append_byte(floe_buf *b, uint8_t c, floe_err *err);
floe_status floe_buf_printf(floe_buf *b, floe_err *err, const char *fmt, ...) FLOE_PRINTF(3, 4);
floe_status floe_buf_vprintf(floe_buf *b, floe_err *err, const char *fmt, va_list ap)
    FLOE_PRINTF(3, 0);
/* The contents as a C string ("" when empty); borrowed until the next change. */
const char *floe_buf_cstr(const floe_buf *b);
/* Hand the memory to the caller (free() it; never NULL) and leave `b` empty. */
char *floe_buf_detach(floe_buf *b, size_t *len_out);

/* ==== Vector ==== */

/* A growable array of fixed-size elements. Caller storage; elements move when it grows. */
typedef struct floe_vec {
    void *data;
    size_t n;
    size_t cap;
    size_t elem_size;
} floe_vec;

void floe_vec_init(floe_vec *v, size_t elem_size);
void floe_vec_fini(floe_vec *v);
void floe_vec_clear(floe_vec *v);
void floe_vec_reserve(floe_vec *v, size_t n);
/* Append a zeroed element and return it (valid until the next growth). */
void *floe_vec_push(floe_vec *v);
void floe_vec_push_copy(floe_vec *v, const void *elem);
void *floe_vec_at(const floe_vec *v, size_t i); /* asserts i < n */
void floe_vec_pop(floe_vec *v);
void floe_vec_remove(floe_vec *v, size_t i); /* keeps order */
void floe_vec_sort(floe_vec *v, int (*cmp)(const void *, const void *));
/* A comparator for qsort/bsearch/floe_vec_sort over `const char *` elements: strcmp order. */
int floe_str_ptr_cmp(const void *a, const void *b);

#define FLOE_VEC_AT(v, T, i) ((T *)floe_vec_at((v), (i)))

/* ==== Hash map ==== */

/*
 * Byte-string keys (copied into the map) to pointer values. The type's callbacks say who owns
 * values: with `val_free` set, the map frees a value when it is replaced, removed or when the map
 * is freed. Keys hash with a per-process random seed, so hostile keys cannot force collisions.
 * Not thread-safe.
 */
typedef struct floe_map floe_map;

typedef struct floe_map_type {
    void (*val_free)(void *val); /* NULL: the map does not own values */
} floe_map_type;

typedef struct floe_map_iter {
    size_t next_slot;
} floe_map_iter;

/* `type` may be NULL (borrowed values) and must outlive the map. */
floe_map *floe_map_new(const floe_map_type *type);
void floe_map_free(floe_map *m);
size_t floe_map_count(const floe_map *m);
/* The value, or NULL when absent (store non-NULL values to tell them apart). */
void *floe_map_get(const floe_map *m, const void *key, size_t klen);
bool floe_map_contains(const floe_map *m, const void *key, size_t klen);
/* Insert or replace; a replaced value is freed with val_free. Consumes `val`. */
void floe_map_put(floe_map *m, const void *key, size_t klen, void *val);
/* Remove and free the value; false when absent. */
bool floe_map_remove(floe_map *m, const void *key, size_t klen);
/* Remove and return the value without freeing it (the caller owns it now); NULL when absent. */
void *floe_map_take(floe_map *m, const void *key, size_t klen);
void floe_map_clear(floe_map *m);
/*
 * Iterate: `floe_map_iter it = {0}; while (floe_map_next(m, &it, &k, &klen, &v)) ...`.
 * The map must not change during iteration. `key` is borrowed and NUL-terminated.
 */
bool floe_map_next(const floe_map *m, floe_map_iter *it, const char **key, size_t *klen,
                   void **val);

/* C-string key conveniences. */
void *floe_map_get_s(const floe_map *m, const char *key);
void floe_map_put_s(floe_map *m, const char *key, void *val);
bool floe_map_remove_s(floe_map *m, const char *key);

/* ==== Bounds-checked read cursor ==== */

/*
 * Reads fixed-width integers, varints and byte ranges from untrusted bytes. Every read checks
 * the remaining length first and fails with FLOE_ERR_CORRUPT naming the offset; no read ever
 * touches memory outside [data, data + len).
 */
typedef struct floe_cursor {
    const uint8_t *data;
    size_t len;
    size_t pos;
} floe_cursor;

void floe_cursor_init(floe_cursor *c, const void *data, size_t len);
size_t floe_cursor_remaining(const floe_cursor *c);
floe_status floe_cursor_need(const floe_cursor *c, size_t n, floe_err *err);
floe_status floe_cursor_skip(floe_cursor *c, size_t n, floe_err *err);
floe_status floe_cursor_seek(floe_cursor *c, size_t pos, floe_err *err);
/* Borrow `n` bytes (pointer into the cursor's data) and advance. */
floe_status floe_cursor_bytes(floe_cursor *c, size_t n, const uint8_t **out, floe_err *err);
floe_status floe_cursor_copy(floe_cursor *c, void *dst, size_t n, floe_err *err);
floe_status floe_cursor_u8(floe_cursor *c, uint8_t *out, floe_err *err);
floe_status floe_cursor_u16le(floe_cursor *c, uint16_t *out, floe_err *err);
floe_status floe_cursor_u32le(floe_cursor *c, uint32_t *out, floe_err *err);
floe_status floe_cursor_u64le(floe_cursor *c, uint64_t *out, floe_err *err);
floe_status floe_cursor_u32be(floe_cursor *c, uint32_t *out, floe_err *err);
floe_status floe_cursor_i32le(floe_cursor *c, int32_t *out, floe_err *err);
floe_status floe_cursor_i64le(floe_cursor *c, int64_t *out, floe_err *err);
floe_status floe_cursor_f32le(floe_cursor *c, float *out, floe_err *err);
floe_status floe_cursor_f64le(floe_cursor *c, double *out, floe_err *err);
/* Unsigned LEB128 (at most 10 bytes, must fit 64 bits). */
floe_status floe_cursor_uvarint(floe_cursor *c, uint64_t *out, floe_err *err);
/* Zigzag-encoded LEB128 (Avro longs, Thrift compact integers). */
floe_status floe_cursor_zvarint(floe_cursor *c, int64_t *out, floe_err *err);

/* Little-endian loads and stores on raw memory (alignment-free). */
static inline uint32_t floe_load_u32le(const void *p)
{
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t floe_load_u64le(const void *p)
{
    const uint8_t *b = (const uint8_t *)p;
    return (uint64_t)floe_load_u32le(b) | (uint64_t)floe_load_u32le(b + 4) << 32;
}
static inline void floe_store_u32le(void *p, uint32_t v)
{
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}
static inline void floe_store_u64le(void *p, uint64_t v)
{
    floe_store_u32le(p, (uint32_t)v);
    floe_store_u32le((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* ==== Time ==== */

/* Microseconds since 1970-01-01T00:00:00Z. */
int64_t floe_time_now_us(void);
/* A monotonic clock in microseconds, for durations and deadlines. */
int64_t floe_time_mono_us(void);

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t floe_days_from_civil(int64_t year, int month, int day);
void floe_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

#define FLOE_ISO_TIME_MAX 40
/*
 * Format microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.ffffffZ" into `out` (at least
 * FLOE_ISO_TIME_MAX bytes). Returns the length. Years outside 0..9999 print with a sign.
 */
size_t floe_time_format_iso(int64_t us, char *out);

/*
 * Parse an ISO-8601 timestamp: "YYYY-MM-DD", optionally followed by 'T' or ' ' and
 * "HH:MM[:SS[.fraction]]" (up to 9 fraction digits, truncated to microseconds), optionally
 * followed by "Z" or an offset "+HH:MM" / "-HHMM". Without an offset the time is taken as UTC.
 */
floe_status floe_time_parse_iso(const char *s, size_t len, int64_t *out_us, floe_err *err);

/*
 * Parse a duration "<number><unit>" with unit us, ms, s, m (minutes), h, d, w, e.g. "0s", "90m",
 * "12h", "3d"; several may be concatenated ("1h30m"). Negative durations are rejected.
 */
floe_status floe_duration_parse(const char *s, int64_t *out_us, floe_err *err);

/* ==== Random and UUID ==== */

/* Fill from the kernel's CSPRNG (getrandom); aborts if the kernel cannot provide it. */
void floe_random_bytes(void *buf, size_t n);
uint64_t floe_random_u64(void);

typedef struct floe_uuid {
    uint8_t b[16];
} floe_uuid;

#define FLOE_UUID_STR_LEN 36
void floe_uuid_v4(floe_uuid *out);
/* Canonical lowercase 8-4-4-4-12 form into `out` (FLOE_UUID_STR_LEN + 1 bytes). */
void floe_uuid_format(const floe_uuid *u, char *out);
/* Accepts the canonical form in either case. */
floe_status floe_uuid_parse(const char *s, size_t len, floe_uuid *out, floe_err *err);

/* ==== Encodings ==== */

/* Standard base64 with padding (RFC 4648 section 4), or the URL-safe alphabet without padding. */
typedef enum floe_base64_variant { FLOE_BASE64_STD = 0, FLOE_BASE64_URL } floe_base64_variant;

floe_status floe_base64_encode(const void *data, size_t len, floe_base64_variant v, floe_buf *out,
                               floe_err *err);
/* Decodes either alphabet; padding is optional; whitespace and other junk are errors. */
floe_status floe_base64_decode(const char *s, size_t len, floe_buf *out, floe_err *err);

/* Lowercase hex of `len` bytes into `out` (2 * len + 1 bytes, NUL-terminated). */
void floe_hex_encode(const void *data, size_t len, char *out);
/* Hex (either case, even length) into `out` (len / 2 bytes). */
floe_status floe_hex_decode(const char *s, size_t len, uint8_t *out, floe_err *err);

/* ==== Checksums and hashes ==== */

/* CRC-32C (Castagnoli); pass 0 as `crc` to start, the previous result to continue. */
uint32_t floe_crc32c(uint32_t crc, const void *data, size_t len);
/* XXH64, as used by Parquet bloom filters; also the map's keyed hash. */
uint64_t floe_xxh64(const void *data, size_t len, uint64_t seed);

/* ==== Thread pool ==== */

/*
 * A fixed set of worker threads fed from a bounded FIFO queue. submit() blocks while the queue
 * is full; try_submit() fails with FLOE_ERR_UNAVAILABLE instead. floe_pool_free() runs what is
 * queued, then joins the threads.
 */
typedef struct floe_pool floe_pool;
typedef void (*floe_pool_fn)(void *arg);

/* `nthreads` >= 1, `queue_cap` >= 1; `name` (copied) names the threads in logs. */
floe_pool *floe_pool_new(unsigned nthreads, size_t queue_cap, const char *name);
floe_status floe_pool_submit(floe_pool *p, floe_pool_fn fn, void *arg, floe_err *err);
floe_status floe_pool_try_submit(floe_pool *p, floe_pool_fn fn, void *arg, floe_err *err);
/* Wait until the queue is empty and no task is running. */
void floe_pool_wait(floe_pool *p);
size_t floe_pool_queued(floe_pool *p);
void floe_pool_free(floe_pool *p);

#ifdef __cplusplus
}
#endif

#endif /* FLOE_BASE_H */
