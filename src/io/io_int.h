/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private half of FileIO: the operations table a storage backend implements, and the
 * headers every input and output starts with. The router (fileio.c) resolves locations and
 * dispatches; backends only ever see resolved, scheme-specific locations.
 */
#ifndef FLOE_IO_INT_H
#define FLOE_IO_INT_H

#include "floe/io.h"

typedef struct floe_input_ops {
    floe_status (*read)(floe_input *in, uint64_t offset, void *buf, size_t len, floe_err *err);
    void (*close)(floe_input *in); /* frees `in` */
} floe_input_ops;

typedef struct floe_output_ops {
    floe_status (*write)(floe_output *o, const void *data, size_t len, floe_err *err);
    floe_status (*commit)(floe_output *o, floe_err *err); /* frees `o` */
    void (*abort)(floe_output *o);                        /* frees `o` */
} floe_output_ops;

/* Backends allocate a larger struct whose first member is this header. */
struct floe_input {
    const floe_input_ops *ops;
    char *location; /* caller's location, owned (freed by floe_io_input_fini) */
    uint64_t size;
};

struct floe_output {
    const floe_output_ops *ops;
    char *location; /* caller's location, owned */
    uint64_t size;  /* bytes accepted so far */
};

typedef struct floe_io_backend_ops {
    const char *name;
    floe_status (*open)(void *impl, const char *path, floe_input **out, floe_err *err);
    floe_status (*create)(void *impl, const char *path, floe_io_create_mode mode, floe_output **out,
                          floe_err *err);
    floe_status (*stat)(void *impl, const char *path, floe_file_info *out, floe_err *err);
    floe_status (*remove)(void *impl, const char *path, floe_err *err);
    floe_status (*rename)(void *impl, const char *from, const char *to, bool replace,
                          floe_err *err);
    /* Reports backend paths in info->location; the router maps them back. */
    floe_status (*list)(void *impl, const char *path, floe_io_list_fn fn, void *ud, floe_err *err);
    floe_status (*remove_empty_dirs)(void *impl, const char *path, size_t *removed, floe_err *err);
    void (*free)(void *impl);
} floe_io_backend_ops;

/* The local filesystem backend. */
extern const floe_io_backend_ops floe_local_backend_ops;
void *floe_local_backend_new(const floe_local_io_opts *opts);

#endif /* FLOE_IO_INT_H */
