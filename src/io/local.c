/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Local filesystem backend. Outputs are written to a hidden temporary file beside the target
 * (".<name>.<random>.tmp"), fsynced, then published with rename(2) (overwrite) or link(2)
 * (exclusive create: fails atomically if the name exists). The directory is fsynced after
 * publishing so a committed file survives a crash.
 */
#define _GNU_SOURCE /* renameat2 */
#include "io_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCAL_WRITE_BUF ((size_t)256 << 10)

typedef struct local_backend {
    bool sync;
} local_backend;

void *floe_local_backend_new(const floe_local_io_opts *opts)
{
    local_backend *b = floe_xcalloc(1, sizeof(*b));
    b->sync = !(opts != NULL && opts->no_sync);
    return b;
}

static void local_free(void *impl)
{
    free(impl);
}

static int64_t mtime_us(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;
}

/* ==== Input ==== */

typedef struct local_input {
    floe_input base;
    int fd;
} local_input;

static floe_status local_read(floe_input *in, uint64_t offset, void *buf, size_t len, floe_err *err)
{
    local_input *li = (local_input *)in;
    char *p = buf;
    while (len > 0) {
        ssize_t n = pread(li->fd, p, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return floe_err_errno(err, errno, "pread at offset %llu", (unsigned long long)offset);
        }
        if (n == 0) {
            return floe_err_set(err, FLOE_ERR_IO, "file shrank while reading (offset %llu)",
                                (unsigned long long)offset);
        }
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return FLOE_OK;
}

static void local_close(floe_input *in)
{
    local_input *li = (local_input *)in;
    close(li->fd);
    free(li);
}

static const floe_input_ops local_input_ops = {local_read, local_close};

static floe_status local_open(void *impl, const char *path, floe_input **out, floe_err *err)
{
    (void)impl;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return floe_err_errno(err, errno, "%s", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return floe_err_errno(err, e, "%s", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return floe_err_set(err, FLOE_ERR_INVALID, "%s is not a regular file", path);
    }
    local_input *li = floe_xcalloc(1, sizeof(*li));
    li->base.ops = &local_input_ops;
    li->base.size = (uint64_t)st.st_size;
    li->fd = fd;
    *out = &li->base;
    return FLOE_OK;
}

/* ==== Output ==== */

typedef struct local_output {
    floe_output base;
    local_backend *be;
    int fd;
    floe_io_create_mode mode;
    char *path; /* final name */
    char *tmp;  /* temporary name */
    char *buf;  /* write buffer */
    size_t buf_len;
} local_output;

static floe_status write_all(int fd, const char *p, size_t len, floe_err *err)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return floe_err_errno(err, errno, "write");
        }
        p += n;
        len -= (size_t)n;
    }
    return FLOE_OK;
}

static floe_status flush_buf(local_output *lo, floe_err *err)
{
    floe_status st = write_all(lo->fd, lo->buf, lo->buf_len, err);
    lo->buf_len = 0;
    return st;
}

static floe_status local_write(floe_output *o, const void *data, size_t len, floe_err *err)
{
    local_output *lo = (local_output *)o;
    if (lo->buf_len + len > LOCAL_WRITE_BUF) {
        floe_status st = flush_buf(lo, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    if (len >= LOCAL_WRITE_BUF) {
        return write_all(lo->fd, data, len, err);
    }
    memcpy(lo->buf + lo->buf_len, data, len);
    lo->buf_len += len;
    return FLOE_OK;
}

static void output_free(local_output *lo)
{
    free(lo->path);
    free(lo->tmp);
    free(lo->buf);
    free(lo);
}

static void local_abort(floe_output *o)
{
    local_output *lo = (local_output *)o;
    if (lo->fd >= 0) {
        close(lo->fd);
    }
    unlink(lo->tmp);
    output_free(lo);
}

/* fsync the directory holding `path` so a new or renamed entry is durable. */
static floe_status sync_parent(const char *path, floe_err *err)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
    } else if (slash == path) {
        snprintf(dir, sizeof(dir), "/");
    } else {
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return floe_err_errno(err, errno, "open directory %s", dir);
    }
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0 && e != EINVAL) { /* some filesystems cannot fsync directories */
        return floe_err_errno(err, e, "fsync directory %s", dir);
    }
    return FLOE_OK;
}

/* Publish `from` as `to` without replacing an existing `to`. */
static int link_noreplace(const char *from, const char *to)
{
    if (link(from, to) == 0) {
        return 0;
    }
    if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == EXDEV ||
        errno == EMLINK) {
        /* Filesystems without hard links: fall back to an exclusive rename. */
        return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
    }
    return -1;
}

static floe_status local_commit(floe_output *o, floe_err *err)
{
    local_output *lo = (local_output *)o;
    floe_status st = flush_buf(lo, err);
    if (st == FLOE_OK && lo->be->sync && fsync(lo->fd) != 0) {
        st = floe_err_errno(err, errno, "fsync %s", lo->tmp);
    }
    if (close(lo->fd) != 0 && st == FLOE_OK) {
        st = floe_err_errno(err, errno, "close %s", lo->tmp);
    }
    lo->fd = -1;
    if (st == FLOE_OK) {
        if (lo->mode == FLOE_IO_CREATE_EXCLUSIVE) {
            if (link_noreplace(lo->tmp, lo->path) != 0) {
                st = errno == EEXIST
                         ? floe_err_set(err, FLOE_ERR_EXISTS, "%s already exists", lo->path)
                         : floe_err_errno(err, errno, "link %s", lo->path);
            }
            unlink(lo->tmp); /* the name now lives on as lo->path (or the commit failed) */
        } else if (rename(lo->tmp, lo->path) != 0) {
            st = floe_err_errno(err, errno, "rename to %s", lo->path);
        }
    }
    if (st == FLOE_OK && lo->be->sync) {
        st = sync_parent(lo->path, err);
    }
    if (st != FLOE_OK) {
        unlink(lo->tmp);
    }
    output_free(lo);
    return st;
}

static const floe_output_ops local_output_ops = {local_write, local_commit, local_abort};

/* mkdir -p for the parent directories of `path`. */
static floe_status make_parents(const char *path, floe_err *err)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "path is too long");
    }
    char *slash = strrchr(buf, '/');
    if (slash == NULL || slash == buf) {
        return FLOE_OK;
    }
    *slash = '\0';
    struct stat st;
    if (stat(buf, &st) == 0) {
        return S_ISDIR(st.st_mode)
                   ? FLOE_OK
                   : floe_err_set(err, FLOE_ERR_INVALID, "%s is not a directory", buf);
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
            return floe_err_errno(err, errno, "mkdir %s", buf);
        }
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
        return floe_err_errno(err, errno, "mkdir %s", buf);
    }
    return FLOE_OK;
}

static floe_status local_create(void *impl, const char *path, floe_io_create_mode mode,
                                floe_output **out, floe_err *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0') {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s names a directory, not a file", path);
    }
    floe_status st = make_parents(path, err);
    if (st != FLOE_OK) {
        return st;
    }
    char rnd[17];
    uint64_t r = floe_random_u64();
    floe_hex_encode(&r, sizeof(r), rnd);
    char *tmp = floe_xasprintf("%.*s.%s.%s.tmp", (int)(base - path), path, base, rnd);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        st = floe_err_errno(err, errno, "%s", tmp);
        free(tmp);
        return st;
    }
    local_output *lo = floe_xcalloc(1, sizeof(*lo));
    lo->base.ops = &local_output_ops;
    lo->be = impl;
    lo->fd = fd;
    lo->mode = mode;
    lo->path = floe_xstrdup(path);
    lo->tmp = tmp;
    lo->buf = floe_xmalloc(LOCAL_WRITE_BUF);
    *out = &lo->base;
    return FLOE_OK;
}

/* ==== Namespace operations ==== */

static floe_status local_stat(void *impl, const char *path, floe_file_info *out, floe_err *err)
{
    (void)impl;
    struct stat st;
    if (stat(path, &st) != 0) {
        return floe_err_errno(err, errno, "%s", path);
    }
    if (!S_ISREG(st.st_mode)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s is not a regular file", path);
    }
    out->size = (uint64_t)st.st_size;
    out->mtime_us = mtime_us(&st);
    return FLOE_OK;
}

static floe_status local_remove(void *impl, const char *path, floe_err *err)
{
    (void)impl;
    if (unlink(path) != 0) {
        return floe_err_errno(err, errno, "%s", path);
    }
    return FLOE_OK;
}

static floe_status local_rename(void *impl, const char *from, const char *to, bool replace,
                                floe_err *err)
{
    local_backend *be = impl;
    floe_status st = make_parents(to, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (replace) {
        if (rename(from, to) != 0) {
            return floe_err_errno(err, errno, "%s", from);
        }
    } else {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) != 0) {
            if (errno != EINVAL && errno != ENOSYS) {
                return errno == EEXIST ? floe_err_set(err, FLOE_ERR_EXISTS, "%s already exists", to)
                                       : floe_err_errno(err, errno, "%s", from);
            }
            /* No RENAME_NOREPLACE here: link then unlink is equally exclusive. */
            if (link(from, to) != 0) {
                return errno == EEXIST ? floe_err_set(err, FLOE_ERR_EXISTS, "%s already exists", to)
                                       : floe_err_errno(err, errno, "%s", from);
            }
            unlink(from);
        }
    }
    return be->sync ? sync_parent(to, err) : FLOE_OK;
}

static floe_status list_dir(char *path, size_t len, size_t cap, floe_io_list_fn fn, void *ud,
                            floe_err *err)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        return floe_err_errno(err, errno, "%s", path);
    }
    floe_status st = FLOE_OK;
    struct dirent *e;
    while (st == FLOE_OK && (errno = 0, e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        size_t nlen = strlen(e->d_name);
        if (len + 1 + nlen + 1 > cap) {
            st = floe_err_set(err, FLOE_ERR_INVALID, "path under %s is too long", path);
            break;
        }
        path[len] = '/';
        memcpy(path + len + 1, e->d_name, nlen + 1);
        struct stat sb;
        if (lstat(path, &sb) != 0) {
            if (errno == ENOENT) { /* deleted while listing */
                path[len] = '\0';
                continue;
            }
            st = floe_err_errno(err, errno, "%s", path);
        } else if (S_ISDIR(sb.st_mode)) {
            st = list_dir(path, len + 1 + nlen, cap, fn, ud, err);
        } else if (S_ISREG(sb.st_mode)) {
            floe_file_info info = {path, (uint64_t)sb.st_size, mtime_us(&sb)};
            st = fn(ud, &info, err);
        }
        path[len] = '\0';
    }
    if (st == FLOE_OK && errno != 0) {
        st = floe_err_errno(err, errno, "readdir %s", path);
    }
    closedir(d);
    return st;
}

static floe_status local_list(void *impl, const char *path, floe_io_list_fn fn, void *ud,
                              floe_err *err)
{
    (void)impl;
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof(buf)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "path is too long");
    }
    memcpy(buf, path, len + 1);
    struct stat sb;
    if (stat(buf, &sb) != 0) {
        return floe_err_errno(err, errno, "%s", path);
    }
    if (!S_ISDIR(sb.st_mode)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s is not a directory", path);
    }
    return list_dir(buf, len, sizeof(buf), fn, ud, err);
}

/* Post-order: returns true (in *empty) when `path` had nothing left and was removed. */
static floe_status prune_dir(char *path, size_t len, size_t cap, size_t *removed, bool *empty,
                             floe_err *err)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        return floe_err_errno(err, errno, "%s", path);
    }
    bool left = false;
    floe_status st = FLOE_OK;
    struct dirent *e;
    while (st == FLOE_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        size_t nlen = strlen(e->d_name);
        if (len + 1 + nlen + 1 > cap) {
            left = true;
            continue;
        }
        path[len] = '/';
        memcpy(path + len + 1, e->d_name, nlen + 1);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            bool child_empty = false;
            st = prune_dir(path, len + 1 + nlen, cap, removed, &child_empty, err);
            left = left || !child_empty;
        } else {
            left = true;
        }
        path[len] = '\0';
    }
    closedir(d);
    *empty = false;
    if (st == FLOE_OK && !left) {
        if (rmdir(path) == 0) {
            (*removed)++;
            *empty = true;
        } else if (errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT) {
            st = floe_err_errno(err, errno, "rmdir %s", path);
        }
    }
    return st;
}

static floe_status local_remove_empty_dirs(void *impl, const char *path, size_t *removed,
                                           floe_err *err)
{
    (void)impl;
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof(buf)) {
        return floe_err_set(err, FLOE_ERR_INVALID, "path is too long");
    }
    memcpy(buf, path, len + 1);
    bool empty = false;
    return prune_dir(buf, len, sizeof(buf), removed, &empty, err);
}

const floe_io_backend_ops floe_local_backend_ops = {
    .name = "local",
    .open = local_open,
    .create = local_create,
    .stat = local_stat,
    .remove = local_remove,
    .rename = local_rename,
    .list = local_list,
    .remove_empty_dirs = local_remove_empty_dirs,
    .free = local_free,
};
