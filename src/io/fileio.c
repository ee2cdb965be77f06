/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FileIO router: applies the location prefix map, normalises `file:` URIs, picks the
 * backend for the scheme, and maps listed locations back into the caller's namespace.
 */
#include "io_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct prefix_rule {
    char *from;
    char *to;
} prefix_rule;

struct floe_fileio {
    const floe_io_backend_ops *local_ops;
    void *local_impl;
    floe_vec rules; /* prefix_rule */
};

floe_fileio *floe_fileio_local_new(const floe_local_io_opts *opts)
{
    floe_fileio *io = floe_xcalloc(1, sizeof(*io));
    io->local_ops = &floe_local_backend_ops;
    io->local_impl = floe_local_backend_new(opts);
    floe_vec_init(&io->rules, sizeof(prefix_rule));
    return io;
}

void floe_fileio_free(floe_fileio *io)
{
    if (io == NULL) {
        return;
    }
    for (size_t i = 0; i < io->rules.n; i++) {
        prefix_rule *r = FLOE_VEC_AT(&io->rules, prefix_rule, i);
        free(r->from);
        free(r->to);
    }
    floe_vec_fini(&io->rules);
    io->local_ops->free(io->local_impl);
    free(io);
}

floe_status floe_fileio_map_prefix(floe_fileio *io, const char *from, const char *to, floe_err *err)
{
    if (from == NULL || *from == '\0' || to == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "a location map needs a non-empty prefix");
    }
    prefix_rule *r = floe_vec_push(&io->rules);
    r->from = floe_xstrdup(from);
    r->to = floe_xstrdup(to);
    return FLOE_OK;
}

/* Length of the "scheme:" part of a URI (scheme per RFC 3986), or 0 for a plain path. */
static size_t scheme_len(const char *loc)
{
    if (!isalpha((unsigned char)loc[0])) {
        return 0;
    }
    size_t i = 1;
    while (isalnum((unsigned char)loc[i]) || loc[i] == '+' || loc[i] == '-' || loc[i] == '.') {
        i++;
    }
    /* A one-letter scheme would be a Windows drive; require "://" or "file:". */
    if (loc[i] != ':' || i < 2) {
        return 0;
    }
    return i + 1;
}

/* Apply the longest matching prefix rule; returns a heap string. */
static char *apply_rules(const floe_fileio *io, const char *location)
{
    const prefix_rule *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < io->rules.n; i++) {
        const prefix_rule *r = FLOE_VEC_AT(&io->rules, prefix_rule, i);
        size_t n = strlen(r->from);
        if (n > best_len && strncmp(location, r->from, n) == 0) {
            best = r;
            best_len = n;
        }
    }
    if (best == NULL) {
        return floe_xstrdup(location);
    }
    return floe_xasprintf("%s%s", best->to, location + best_len);
}

/*
 * Resolve to a local path (heap, in *path_out) or fail for schemes without a backend.
 * "file:///x" and "file:/x" give "/x"; "file://rel/x" (a form some writers produce for relative
 * paths) gives "rel/x".
 */
static floe_status resolve_local(const floe_fileio *io, const char *location, char **path_out,
                                 floe_err *err)
{
    if (location == NULL || *location == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "empty location");
    }
    if (strlen(location) != strnlen(location, 4097) || strlen(location) > 4096) {
        return floe_err_set(err, FLOE_ERR_INVALID, "location is longer than 4096 bytes");
    }
    char *mapped = apply_rules(io, location);
    size_t sl = scheme_len(mapped);
    const char *path = mapped;
    if (sl > 0) {
        if (sl == 5 && strncmp(mapped, "file:", 5) == 0) {
            path = mapped + 5;
            if (strncmp(path, "///", 3) == 0) {
                path += 2;
            } else if (strncmp(path, "//", 2) == 0) {
                path += 2;
            }
        } else {
            floe_status st = floe_err_set(
                err, FLOE_ERR_UNSUPPORTED,
                "%s: no storage backend for scheme '%.*s'; map the location to a local directory",
                location, (int)(sl - 1), mapped);
            free(mapped);
            return st;
        }
    }
    if (*path == '\0') {
        free(mapped);
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: location has an empty path", location);
    }
    *path_out = floe_xstrdup(path);
    free(mapped);
    return FLOE_OK;
}

floe_status floe_fileio_resolve(const floe_fileio *io, const char *location, floe_buf *out,
                                floe_err *err)
{
    char *path = NULL;
    floe_status st = resolve_local(io, location, &path, err);
    if (st == FLOE_OK) {
        st = floe_buf_append_str(out, path, err);
        free(path);
    }
    return st;
}

/* ==== Reading ==== */

floe_status floe_io_open(floe_fileio *io, const char *location, floe_input **out, floe_err *err)
{
    char *path = NULL;
    floe_status st = resolve_local(io, location, &path, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = io->local_ops->open(io->local_impl, path, out, err);
    free(path);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "open %s", location);
    }
    (*out)->location = floe_xstrdup(location);
    return FLOE_OK;
}

uint64_t floe_input_size(const floe_input *in)
{
    return in->size;
}

const char *floe_input_location(const floe_input *in)
{
    return in->location;
}

floe_status floe_input_read(floe_input *in, uint64_t offset, void *buf, size_t len, floe_err *err)
{
    if (offset > in->size || len > in->size - offset) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "%s: read of %zu bytes at offset %llu is past the end of the file "
                            "(%llu bytes)",
                            in->location, len, (unsigned long long)offset,
                            (unsigned long long)in->size);
    }
    if (len == 0) {
        return FLOE_OK;
    }
    floe_status st = in->ops->read(in, offset, buf, len, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "read %s", in->location);
    }
    return FLOE_OK;
}

void floe_input_close(floe_input *in)
{
    if (in == NULL) {
        return;
    }
    free(in->location);
    in->location = NULL;
    in->ops->close(in);
}

floe_status floe_io_read_file(floe_fileio *io, const char *location, size_t max, floe_buf *out,
                              floe_err *err)
{
    floe_input *in = NULL;
    floe_status st = floe_io_open(io, location, &in, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (in->size > max) {
        st = floe_err_set(err, FLOE_ERR_TOO_BIG, "%s: file is %llu bytes, over the limit of %zu",
                          location, (unsigned long long)in->size, max);
    } else {
        st = floe_buf_reserve(out, (size_t)in->size, err);
        if (st == FLOE_OK) {
            st = floe_input_read(in, 0, out->data + out->len, (size_t)in->size, err);
        }
        if (st == FLOE_OK) {
            out->len += (size_t)in->size;
            out->data[out->len] = '\0';
        }
    }
    floe_input_close(in);
    return st;
}

/* ==== Writing ==== */

floe_status floe_io_create(floe_fileio *io, const char *location, floe_io_create_mode mode,
                           floe_output **out, floe_err *err)
{
    char *path = NULL;
    floe_status st = resolve_local(io, location, &path, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = io->local_ops->create(io->local_impl, path, mode, out, err);
    free(path);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "create %s", location);
    }
    (*out)->location = floe_xstrdup(location);
    (*out)->size = 0;
    return FLOE_OK;
}

floe_status floe_output_write(floe_output *o, const void *data, size_t len, floe_err *err)
{
    if (len == 0) {
        return FLOE_OK;
    }
    floe_status st = o->ops->write(o, data, len, err);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "write %s", o->location);
    }
    o->size += len;
    return FLOE_OK;
}

uint64_t floe_output_size(const floe_output *o)
{
    return o->size;
}

floe_status floe_output_commit(floe_output *o, floe_err *err)
{
    /* The backend frees `o`; keep the name for the error message. */
    char *loc = o->location;
    o->location = NULL;
    floe_status st = o->ops->commit(o, err);
    if (st != FLOE_OK) {
        floe_err_wrap(err, "commit %s", loc);
    }
    free(loc);
    return st;
}

void floe_output_abort(floe_output *o)
{
    if (o == NULL) {
        return;
    }
    free(o->location);
    o->location = NULL;
    o->ops->abort(o);
}

floe_status floe_io_write_file(floe_fileio *io, const char *location, floe_io_create_mode mode,
                               const void *data, size_t len, floe_err *err)
{
    floe_output *o = NULL;
    floe_status st = floe_io_create(io, location, mode, &o, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = floe_output_write(o, data, len, err);
    if (st != FLOE_OK) {
        floe_output_abort(o);
        return st;
    }
    return floe_output_commit(o, err);
}

/* ==== Namespace operations ==== */

floe_status floe_io_stat(floe_fileio *io, const char *location, floe_file_info *out, floe_err *err)
{
    char *path = NULL;
    floe_status st = resolve_local(io, location, &path, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = io->local_ops->stat(io->local_impl, path, out, err);
    free(path);
    out->location = NULL;
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "stat %s", location);
    }
    return FLOE_OK;
}

floe_status floe_io_exists(floe_fileio *io, const char *location, bool *out, floe_err *err)
{
    floe_file_info info;
    floe_err local = {0};
    floe_status st = floe_io_stat(io, location, &info, &local);
    if (st == FLOE_OK || st == FLOE_ERR_NOT_FOUND) {
        *out = st == FLOE_OK;
        return FLOE_OK;
    }
    return floe_err_set(err, st, "%s", local.msg);
}

floe_status floe_io_delete(floe_fileio *io, const char *location, floe_err *err)
{
    char *path = NULL;
    floe_status st = resolve_local(io, location, &path, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = io->local_ops->remove(io->local_impl, path, err);
    free(path);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "delete %s", location);
    }
    return FLOE_OK;
}

floe_status floe_io_rename(floe_fileio *io, const char *from, const char *to, bool replace,
                           floe_err *err)
{
    char *pfrom = NULL, *pto = NULL;
    floe_status st = resolve_local(io, from, &pfrom, err);
    if (st == FLOE_OK) {
        st = resolve_local(io, to, &pto, err);
    }
    if (st == FLOE_OK) {
        st = io->local_ops->rename(io->local_impl, pfrom, pto, replace, err);
        if (st != FLOE_OK) {
            floe_err_wrap(err, "rename %s to %s", from, to);
        }
    }
    free(pfrom);
    free(pto);
    return st;
}

typedef struct list_ctx {
    floe_io_list_fn fn;
    void *ud;
    const char *req; /* the caller's location, without trailing '/' */
    size_t req_len;
    size_t path_len; /* length of the resolved directory path, without trailing '/' */
    floe_buf name;
} list_ctx;

static floe_status list_translate(void *ud, const floe_file_info *info, floe_err *err)
{
    list_ctx *c = ud;
    floe_buf_reset(&c->name);
    floe_buf_append(&c->name, c->req, c->req_len, NULL);
    floe_buf_append_str(&c->name, info->location + c->path_len, NULL);
    floe_file_info mapped = *info;
    mapped.location = floe_buf_cstr(&c->name);
    return c->fn(c->ud, &mapped, err);
}

static size_t trim_slashes(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/') {
        n--;
    }
    return n;
}

floe_status floe_io_list(floe_fileio *io, const char *location, floe_io_list_fn fn, void *ud,
                         floe_err *err)
{
    char *path = NULL;
    floe_status st = resolve_local(io, location, &path, err);
    if (st != FLOE_OK) {
        return st;
    }
    path[trim_slashes(path)] = '\0';
    list_ctx c = {fn, ud, location, trim_slashes(location), strlen(path), {0}};
    floe_buf_init(&c.name, 0);
    st = io->local_ops->list(io->local_impl, path, list_translate, &c, err);
    floe_buf_fini(&c.name);
    free(path);
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "list %s", location);
    }
    return FLOE_OK;
}

floe_status floe_io_remove_empty_dirs(floe_fileio *io, const char *location, size_t *removed,
                                      floe_err *err)
{
    char *path = NULL;
    size_t n = 0;
    floe_status st = resolve_local(io, location, &path, err);
    if (st != FLOE_OK) {
        return st;
    }
    st = io->local_ops->remove_empty_dirs(io->local_impl, path, &n, err);
    free(path);
    if (removed != NULL) {
        *removed = n;
    }
    if (st != FLOE_OK) {
        return floe_err_wrap(err, "remove empty directories under %s", location);
    }
    return FLOE_OK;
}

char *floe_io_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 0 && dir[n - 1] == '/') {
        n--;
    }
    while (*name == '/') {
        name++;
    }
    return floe_xasprintf("%.*s/%s", (int)n, dir, name);
}
