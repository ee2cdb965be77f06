/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the Parquet writer: the input chooses a schema (flat, optional, lists, structs; every
 * physical type), writer options (codec, page version, dictionary, tiny pages and row groups,
 * page index, page statistics), and batches of rows with their levels and values, sometimes a
 * malformed batch. Invariants: valid batches are accepted and invalid ones refused without
 * harming the writer; the result's row, value and null counts match what was written; the file
 * size matches the output; the file has its magic and a footer that fits; with the reader in
 * the build, the file reads back with the same number of rows.
 */
#include "floe/io.h"
#include "floe/parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    const uint8_t *p;
    size_t n, i;
} fz;

static uint8_t byte(fz *f)
{
    return f->n ? f->p[f->i++ % f->n] : 0;
}

enum { K_REQ, K_OPT, K_LIST, K_STRUCT };

typedef struct field {
    int kind;
    floe_pq_node *leaf;
    /* the batch being built */
    int16_t *def, *rep;
    void *vals;
    size_t n, cap;
    /* totals */
    int64_t slots, nulls;
} field;

static floe_pq_node *node(floe_arena *a, const char *name, floe_pq_repetition rep)
{
    floe_pq_node *n = floe_arena_calloc(a, 1, sizeof(*n));
    n->name = name;
    n->repetition = rep;
    n->converted_type = -1;
    return n;
}

static floe_pq_node *group1(floe_arena *a, const char *name, floe_pq_repetition rep,
                            floe_pq_node *child)
{
    floe_pq_node *g = node(a, name, rep);
    g->children = floe_arena_calloc(a, 1, sizeof(floe_pq_node *));
    g->children[0] = child;
    g->n_children = 1;
    return g;
}

static floe_pq_node *make_leaf(floe_arena *a, fz *f, const char *name, floe_pq_repetition rep)
{
    floe_pq_node *n = node(a, name, rep);
    n->is_leaf = true;
    switch (byte(f) % 11) {
    case 0:
        n->type = FLOE_PQ_BOOLEAN;
        break;
    case 1:
        n->type = FLOE_PQ_INT32;
        break;
    case 2:
        n->type = FLOE_PQ_INT64;
        break;
    case 3:
        n->type = FLOE_PQ_FLOAT;
        break;
    case 4:
        n->type = FLOE_PQ_DOUBLE;
        break;
    case 5:
        n->type = FLOE_PQ_BYTE_ARRAY;
        break;
    case 6:
        n->type = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
        n->type_length = 1 + byte(f) % 20;
        break;
    case 7:
        n->type = FLOE_PQ_INT96;
        break;
    case 8:
        n->type = FLOE_PQ_BYTE_ARRAY;
        n->logical.kind = FLOE_PQ_LT_STRING;
        break;
    case 9:
        n->type = FLOE_PQ_INT32;
        n->logical = (floe_pq_logical){.kind = FLOE_PQ_LT_INTEGER, .bit_width = 32};
        break;
    default:
        n->type = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
        n->type_length = 2;
        n->logical = (floe_pq_logical){.kind = FLOE_PQ_LT_DECIMAL, .precision = 4, .scale = 1};
        break;
    }
    return n;
}

static size_t slot_size(floe_pq_type t)
{
    switch (t) {
    case FLOE_PQ_BOOLEAN:
        return 1;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
        return 4;
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        return 8;
    default:
        return sizeof(floe_pq_bytes);
    }
}

static void push_slot(floe_arena *a, fz *f, field *fd, int16_t d, int16_t r)
{
    if (fd->n == fd->cap) {
        size_t cap = fd->cap ? fd->cap * 2 : 64;
        size_t w = slot_size(fd->leaf->type);
        int16_t *def = floe_arena_calloc(a, cap, sizeof(int16_t));
        int16_t *rep = floe_arena_calloc(a, cap, sizeof(int16_t));
        uint8_t *vals = floe_arena_calloc(a, cap, w);
        if (fd->n > 0) {
            memcpy(def, fd->def, fd->n * sizeof(int16_t));
            memcpy(rep, fd->rep, fd->n * sizeof(int16_t));
            memcpy(vals, fd->vals, fd->n * w);
        }
        fd->def = def;
        fd->rep = rep;
        fd->vals = vals;
        fd->cap = cap;
    }
    size_t i = fd->n++;
    fd->def[i] = d;
    fd->rep[i] = r;
    fd->slots++;
    if (d < fd->leaf->max_def) {
        fd->nulls++;
        return;
    }
    uint8_t *slot = (uint8_t *)fd->vals + i * slot_size(fd->leaf->type);
    switch (fd->leaf->type) {
    case FLOE_PQ_BOOLEAN:
        slot[0] = byte(f) & 1;
        break;
    case FLOE_PQ_INT32:
    case FLOE_PQ_FLOAT:
    case FLOE_PQ_INT64:
    case FLOE_PQ_DOUBLE:
        for (size_t k = 0; k < slot_size(fd->leaf->type); k++) {
            slot[k] = byte(f);
        }
        break;
    default: {
        size_t len = fd->leaf->type == FLOE_PQ_INT96 ? 12
                     : fd->leaf->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY
                         ? (size_t)fd->leaf->type_length
                         : byte(f) % 24;
        uint8_t *p = floe_arena_alloc(a, len + 1);
        for (size_t k = 0; k < len; k++) {
            p[k] = byte(f) % 4 == 0 ? 'a' : byte(f);
        }
        floe_pq_bytes b = {p, (uint32_t)len};
        memcpy(slot, &b, sizeof(b));
        break;
    }
    }
}

/* One row of field `fd`. */
static void add_row(floe_arena *a, fz *f, field *fd)
{
    uint8_t b = byte(f);
    switch (fd->kind) {
    case K_REQ:
        push_slot(a, f, fd, 0, 0);
        break;
    case K_OPT:
        push_slot(a, f, fd, (int16_t)(b & 1), 0);
        break;
    case K_STRUCT:
        push_slot(a, f, fd, (int16_t)(b % 3), 0);
        break;
    case K_LIST: {
        int len = b % 6;
        if (len <= 1) {
            push_slot(a, f, fd, (int16_t)len, 0); /* null list, empty list */
            break;
        }
        for (int e = 0; e < len - 1; e++) {
            push_slot(a, f, fd, (int16_t)(byte(f) % 4 == 0 ? 2 : 3), (int16_t)(e > 0));
        }
        break;
    }
    }
}

static char tmp_dir[64];

static void cleanup(void)
{
    if (tmp_dir[0] != '\0') {
        char path[128];
        snprintf(path, sizeof(path), "%s/f.parquet", tmp_dir);
        unlink(path);
        rmdir(tmp_dir);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (tmp_dir[0] == '\0') {
        snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/floe-fuzz-pqw-XXXXXX");
        if (mkdtemp(tmp_dir) == NULL) {
            abort();
        }
        atexit(cleanup);
    }
    fz f = {data, size, 0};
    floe_arena *a = floe_arena_new(FLOE_ARENA_UNLIMITED);

    /* Schema */
    static const char *const names[] = {"c0", "c1", "c2", "c3", "c4"};
    size_t nf = 1 + byte(&f) % 5;
    floe_pq_node *root = node(a, "schema", FLOE_PQ_REQUIRED);
    root->children = floe_arena_calloc(a, nf, sizeof(floe_pq_node *));
    root->n_children = nf;
    field *fields = floe_arena_calloc(a, nf, sizeof(field));
    for (size_t i = 0; i < nf; i++) {
        int kind = byte(&f) % 4;
        fields[i].kind = kind;
        floe_pq_node *leaf;
        if (kind == K_REQ || kind == K_OPT) {
            leaf = make_leaf(a, &f, names[i], kind == K_REQ ? FLOE_PQ_REQUIRED : FLOE_PQ_OPTIONAL);
            root->children[i] = leaf;
        } else if (kind == K_LIST) {
            leaf = make_leaf(a, &f, "element", FLOE_PQ_OPTIONAL);
            floe_pq_node *g =
                group1(a, names[i], FLOE_PQ_OPTIONAL, group1(a, "list", FLOE_PQ_REPEATED, leaf));
            g->logical.kind = FLOE_PQ_LT_LIST;
            root->children[i] = g;
        } else {
            leaf = make_leaf(a, &f, "x", FLOE_PQ_OPTIONAL);
            root->children[i] = group1(a, names[i], FLOE_PQ_OPTIONAL, leaf);
        }
        leaf->has_field_id = true;
        leaf->field_id = (int32_t)i + 1;
        fields[i].leaf = leaf;
    }
    floe_pq_schema s = {.root = root};
    floe_err err = {0};
    FLOE_VERIFY(floe_pq_schema_finish(&s, a, &err) == FLOE_OK);

    /* Options */
    static const floe_pq_codec codecs[] = {FLOE_PQ_UNCOMPRESSED, FLOE_PQ_SNAPPY, FLOE_PQ_ZSTD,
                                           FLOE_PQ_GZIP, FLOE_PQ_LZ4_RAW};
    floe_pq_write_opts o = floe_pq_write_opts_default();
    uint8_t ob = byte(&f);
    o.codec = codecs[byte(&f) % FLOE_ARRAY_LEN(codecs)];
    o.data_page_v2 = ob & 1;
    o.disable_dictionary = ob & 2;
    o.page_statistics = ob & 4;
    o.disable_page_index = ob & 8;
    o.disable_statistics = (ob & 48) == 48;
    o.page_size = 16 + (size_t)byte(&f) * 16;
    o.row_group_size = 256 + (size_t)byte(&f) * 256;
    o.dictionary_page_limit = 16 + (size_t)byte(&f) * 16;

    floe_local_io_opts lo = {.no_sync = true};
    floe_fileio *io = floe_fileio_local_new(&lo);
    char path[128];
    snprintf(path, sizeof(path), "%s/f.parquet", tmp_dir);
    floe_output *out = NULL;
    FLOE_VERIFY(floe_io_create(io, path, FLOE_IO_CREATE_OVERWRITE, &out, &err) == FLOE_OK);
    floe_pq_writer *w = NULL;
    FLOE_VERIFY(floe_pq_writer_new(out, &s, &o, &w, &err) == FLOE_OK);

    /* Batches */
    int64_t total = 0;
    size_t rows_left = byte(&f) % 200 + (size > 64 ? byte(&f) : 0);
    floe_pq_column *cols = floe_arena_calloc(a, nf, sizeof(floe_pq_column));
    while (rows_left > 0) {
        size_t n = 1 + byte(&f) % 64;
        n = n < rows_left ? n : rows_left;
        for (size_t i = 0; i < nf; i++) {
            fields[i].n = 0;
        }
        for (size_t r = 0; r < n; r++) {
            for (size_t i = 0; i < nf; i++) {
                add_row(a, &f, &fields[i]);
            }
        }
        for (size_t i = 0; i < nf; i++) {
            const floe_pq_node *leaf = fields[i].leaf;
            cols[i] = (floe_pq_column){.leaf = leaf,
                                       .n = fields[i].n,
                                       .def = leaf->max_def ? fields[i].def : NULL,
                                       .rep = leaf->max_rep ? fields[i].rep : NULL};
            cols[i].v.b = fields[i].vals;
        }
        floe_pq_batch b = {.n_rows = n, .columns = cols, .n_columns = nf};
        if (byte(&f) % 16 == 0) {
            /* a malformed copy: one level out of range; refused, nothing changes */
            size_t i = byte(&f) % nf;
            if (fields[i].leaf->max_def > 0 && fields[i].n > 0) {
                int16_t saved = fields[i].def[0];
                fields[i].def[0] = (int16_t)(fields[i].leaf->max_def + 1);
                FLOE_VERIFY(floe_pq_writer_write(w, &b, &err) == FLOE_ERR_INVALID);
                floe_err_clear(&err);
                fields[i].def[0] = saved;
            }
        }
        FLOE_VERIFY(floe_pq_writer_write(w, &b, &err) == FLOE_OK);
        total += (int64_t)n;
        rows_left -= n;
        if (byte(&f) % 8 == 0) {
            FLOE_VERIFY(floe_pq_writer_flush(w, &err) == FLOE_OK);
        }
    }
    FLOE_VERIFY(floe_pq_writer_estimated_size(w) >= 4);
    floe_pq_write_result res;
    FLOE_VERIFY(floe_pq_writer_close(w, &res, &err) == FLOE_OK);
    FLOE_VERIFY(res.num_rows == total);
    FLOE_VERIFY(res.file_size == floe_output_size(out));
    FLOE_VERIFY(res.n_columns == nf);
    FLOE_VERIFY((res.n_row_groups > 0) == (total > 0));
    for (size_t g = 0; g < res.n_row_groups; g++) {
        FLOE_VERIFY(res.row_group_offsets[g] >= 4);
        FLOE_VERIFY(g == 0 || res.row_group_offsets[g] > res.row_group_offsets[g - 1]);
    }
    for (size_t i = 0; i < nf; i++) {
        FLOE_VERIFY(res.columns[i].value_count == fields[i].slots);
        FLOE_VERIFY(res.columns[i].null_count == fields[i].nulls);
        FLOE_VERIFY(res.columns[i].compressed_size <= res.file_size);
    }
    FLOE_VERIFY(floe_output_commit(out, &err) == FLOE_OK);

    /* The bytes: magic at both ends, a footer that fits. */
    floe_buf file;
    floe_buf_init(&file, 0);
    FLOE_VERIFY(floe_io_read_file(io, path, (size_t)1 << 30, &file, &err) == FLOE_OK);
    FLOE_VERIFY(file.len == res.file_size && file.len >= 12);
    FLOE_VERIFY(memcmp(file.data, "PAR1", 4) == 0);
    FLOE_VERIFY(memcmp(file.data + file.len - 4, "PAR1", 4) == 0);
    FLOE_VERIFY(floe_load_u32le(file.data + file.len - 8) <= file.len - 12);
    floe_buf_fini(&file);

    /* And floe's reader reads every row back. */
    floe_pq_reader *r = NULL;
    FLOE_VERIFY(floe_pq_reader_open(io, path, NULL, &r, &err) == FLOE_OK);
    FLOE_VERIFY(floe_pq_reader_meta(r)->num_rows == total);
    floe_pq_scan *scan = NULL;
    FLOE_VERIFY(floe_pq_scan_new(r, NULL, &scan, &err) == FLOE_OK);
    int64_t seen = 0;
    const floe_pq_batch *rb = NULL;
    do {
        FLOE_VERIFY(floe_pq_scan_next(scan, &rb, &err) == FLOE_OK);
        seen += rb ? (int64_t)rb->n_rows : 0;
    } while (rb != NULL);
    FLOE_VERIFY(seen == total);
    floe_pq_scan_free(scan);
    floe_pq_reader_close(r);

    floe_pq_writer_free(w);
    floe_fileio_free(io);
    floe_arena_free(a);
    return 0;
}
