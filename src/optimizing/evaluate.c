/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluator: one streaming pass over a table's live data files that keeps per-partition
 * aggregates only, classifies each file as Amoro's CommonPartitionEvaluator does, and decides
 * minor / major / full per partition. The classification helpers are shared with the planner's
 * second pass (plan.c), so both passes agree file by file.
 */
#include "opt_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== Context ==== */

floe_status opt_eval_init(opt_eval_ctx *c, floe_arena *a, const floe_opt_table_ctx *t,
                          floe_err *err)
{
    *c = (opt_eval_ctx){.a = a, .t = t, .p = t->props};
    floe_vec_init(&c->specs, sizeof(opt_spec_info));
    floe_buf_init(&c->key, 0);
    if (t->meta == NULL || t->props == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID,
                            "evaluation needs table metadata and properties");
    }
    c->fragment_size = floe_opt_props_fragment_size(c->p);
    c->min_target_size = floe_opt_props_min_target_size(c->p);
    c->full_mode = c->p->full_trigger_interval_ms >= 0 &&
                   t->now_ms - t->last_full_ms > c->p->full_trigger_interval_ms;
    c->schema = floe_table_meta_current_schema(t->meta);
    if (c->schema == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "table metadata has no current schema");
    }
    if (c->p->filter_expr != NULL) {
        if (floe_ice_expr_bind(a, c->p->filter_expr, c->schema, &c->filter, err) != FLOE_OK) {
            return floe_err_wrap(err, "self-optimizing.filter '%s'", c->p->filter);
        }
    }
    return FLOE_OK;
}

void opt_eval_fini(opt_eval_ctx *c)
{
    floe_vec_fini(&c->specs);
    floe_buf_fini(&c->key);
}

floe_status opt_eval_spec(opt_eval_ctx *c, int32_t spec_id, const opt_spec_info **out,
                          floe_err *err)
{
    for (size_t i = 0; i < c->specs.n; i++) {
        const opt_spec_info *si = FLOE_VEC_AT(&c->specs, opt_spec_info, i);
        if (si->spec_id == spec_id) {
            *out = si;
            return FLOE_OK;
        }
    }
    const floe_partition_spec *spec = floe_table_meta_spec(c->t->meta, spec_id);
    if (spec == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "data file of unknown partition spec %d",
                            (int)spec_id);
    }
    opt_spec_info si = {.spec_id = spec_id, .spec = spec};
    /* A spec whose source columns were dropped has no derivable type: such files are still
     * evaluated (keyed by their canonical value), only the typed partition JSON and the
     * filter's partition projection are unavailable for them. */
    floe_err ignored = {0};
    if (floe_partition_spec_schema(c->a, spec, c->schema, &si.pschema, &ignored) == FLOE_OK) {
        si.ptype = si.pschema->root;
        if (c->filter != NULL) {
            floe_err perr = {0};
            if (floe_ice_expr_project(c->a, c->filter, spec, c->schema, &si.pfilter, &perr) !=
                FLOE_OK) {
                si.pfilter = NULL;
            }
        }
    }
    if (floe_arena_failed(c->a)) {
        return floe_arena_check(c->a, err);
    }
    floe_vec_push_copy(&c->specs, &si);
    *out = FLOE_VEC_AT(&c->specs, opt_spec_info, c->specs.n - 1);
    return FLOE_OK;
}

floe_status opt_eval_check(const floe_opt_input *in, floe_err *err)
{
    if (in == NULL || in->data == NULL || in->data->file.file_path == NULL) {
        return floe_err_set(err, FLOE_ERR_INVALID, "input without a data file");
    }
    const floe_data_file *f = &in->data->file;
    if (f->content != FLOE_CONTENT_DATA) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: not a data file", f->file_path);
    }
    if (f->file_size_in_bytes < 0 || f->record_count < 0) {
        return floe_err_set(err, FLOE_ERR_INVALID, "%s: negative size or record count",
                            f->file_path);
    }
    for (size_t i = 0; i < in->n_deletes; i++) {
        const floe_manifest_entry *d = in->deletes[i];
        if (d == NULL || d->file.file_path == NULL ||
            (d->file.content != FLOE_CONTENT_POSITION_DELETES &&
             d->file.content != FLOE_CONTENT_EQUALITY_DELETES)) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s: delete %zu is not a delete file",
                                f->file_path, i);
        }
        if (d->file.file_size_in_bytes < 0 || d->file.record_count < 0) {
            return floe_err_set(err, FLOE_ERR_INVALID, "%s: negative size or record count",
                                d->file.file_path);
        }
    }
    return FLOE_OK;
}

floe_status opt_eval_key(opt_eval_ctx *c, const floe_data_file *f, floe_err *err)
{
    floe_buf_reset(&c->key);
    floe_status st = floe_buf_printf(&c->key, err, "%d:", (int)f->spec_id);
    if (st == FLOE_OK && f->partition.kind == FLOE_V_STRUCT && f->partition.u.nested.n > 0) {
        st = floe_value_to_json(&f->partition, &c->key, err);
    }
    return st;
}

floe_status opt_eval_in_scope(opt_eval_ctx *c, const floe_data_file *f, bool *in, floe_err *err)
{
    *in = true;
    if (c->filter == NULL) {
        return FLOE_OK;
    }
    const opt_spec_info *si = NULL;
    floe_status st = opt_eval_spec(c, f->spec_id, &si, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (si->pfilter != NULL && si->pschema != NULL && f->partition.kind == FLOE_V_STRUCT &&
        f->partition.u.nested.n == si->spec->n_fields) {
        floe_ice_row row = {.schema = si->pschema, .row = &f->partition};
        if (!floe_ice_expr_eval(si->pfilter, floe_ice_row_value, &row)) {
            *in = false;
            return FLOE_OK;
        }
    }
    *in = floe_ice_metrics_might_match(c->filter, f);
    return FLOE_OK;
}

floe_status opt_partition_json(opt_eval_ctx *c, const floe_data_file *f, const char **out,
                               floe_err *err)
{
    const opt_spec_info *si = NULL;
    floe_status st = opt_eval_spec(c, f->spec_id, &si, err);
    if (st != FLOE_OK) {
        return st;
    }
    json_t *j = NULL;
    if (f->partition.kind != FLOE_V_STRUCT || f->partition.u.nested.n == 0) {
        j = json_object();
    } else if (si->ptype != NULL && f->partition.u.nested.n == si->ptype->n_fields) {
        j = floe_ice_value_to_json(si->ptype, &f->partition);
    }
    if (j == NULL) {
        /* No typed form: keep the canonical value JSON so the partition is still named. */
        floe_buf b;
        floe_buf_init(&b, 0);
        st = floe_value_to_json(&f->partition, &b, err);
        *out = st == FLOE_OK ? floe_arena_strdup(c->a, floe_buf_cstr(&b)) : NULL;
        floe_buf_fini(&b);
    } else {
        char *s = opt_json_dumps(j);
        json_decref(j);
        *out = floe_arena_strdup(c->a, s);
        free(s);
    }
    if (st == FLOE_OK && *out == NULL) {
        return floe_arena_check(c->a, err);
    }
    return st;
}

/* ==== Classification (Amoro's CommonPartitionEvaluator, per file) ==== */

static int64_t pos_delete_records(const floe_opt_input *in)
{
    int64_t n = 0;
    for (size_t i = 0; i < in->n_deletes; i++) {
        if (in->deletes[i]->file.content == FLOE_CONTENT_POSITION_DELETES) {
            n += in->deletes[i]->file.record_count;
        }
    }
    return n;
}

bool opt_should_rewrite_pos(const floe_opt_input *in, bool *combine_pos)
{
    size_t eq = 0, pos = 0;
    const floe_data_file *one_pos = NULL;
    for (size_t i = 0; i < in->n_deletes; i++) {
        const floe_data_file *d = &in->deletes[i]->file;
        if (d->content == FLOE_CONTENT_EQUALITY_DELETES) {
            eq++;
        } else {
            pos++;
            one_pos = d;
        }
    }
    if (pos > 1) {
        *combine_pos = true;
        return true;
    }
    if (eq > 0) {
        return true;
    }
    if (pos == 1) {
        /* Amoro skips the position delete file its own optimizer wrote for this data file
         * (recognised by name). floe recognises it by content: a file-scoped position delete
         * (referenced_data_file is this file, as v2 writers and v3 deletion vectors set it)
         * is already the compact form, rewriting it gains nothing. */
        const char *ref = one_pos->referenced_data_file;
        return ref == NULL || strcmp(ref, in->data->file.file_path) != 0;
    }
    return false;
}

opt_class opt_classify(const opt_eval_ctx *c, const floe_opt_input *in, bool *combine_pos)
{
    const floe_data_file *f = &in->data->file;
    int64_t size = f->file_size_in_bytes;
    *combine_pos = false;
    bool fragment = size <= c->fragment_size;
    bool undersized = !fragment && size <= c->min_target_size;
    if (fragment) {
        return OPT_C_FRAGMENT;
    }
    bool rewrite;
    if (c->full_mode) {
        rewrite = c->p->full_rewrite_all_files || in->n_deletes > 0 || undersized;
    } else {
        /* Only position deletes measure how much of a segment is dead: equality deletes are
         * turned into position deletes by minor optimizing first (Amoro's reasoning). */
        rewrite = (double)pos_delete_records(in) >
                  (double)f->record_count * c->p->major_trigger_duplicate_ratio;
    }
    if (rewrite) {
        return OPT_C_REWRITE;
    }
    if (undersized) {
        return OPT_C_UNDERSIZED;
    }
    return opt_should_rewrite_pos(in, combine_pos) ? OPT_C_REWRITE_POS : OPT_C_RESERVED;
}

/* ==== The evaluation pass ==== */

typedef struct part_agg {
    floe_opt_partition_stats st;
    opt_hset deletes; /* hashes of delete paths already counted */
} part_agg;

static void part_agg_free(void *v)
{
    part_agg *p = v;
    opt_hset_fini(&p->deletes);
    free(p);
}

static const floe_map_type PART_AGG_TYPE = {.val_free = part_agg_free};

typedef struct eval_state {
    opt_eval_ctx c;
    floe_map *parts;
    floe_opt_summary sum;
} eval_state;

static void count_deletes(part_agg *pa, const floe_opt_input *in)
{
    for (size_t i = 0; i < in->n_deletes; i++) {
        const floe_data_file *d = &in->deletes[i]->file;
        if (!opt_hset_add(&pa->deletes, opt_path_hash(d->file_path))) {
            continue;
        }
        if (d->content == FLOE_CONTENT_POSITION_DELETES) {
            pa->st.pos_delete_count++;
            pa->st.pos_delete_bytes += d->file_size_in_bytes;
            pa->st.pos_delete_records += d->record_count;
        } else {
            pa->st.eq_delete_count++;
            pa->st.eq_delete_bytes += d->file_size_in_bytes;
            pa->st.eq_delete_records += d->record_count;
        }
    }
}

static floe_status eval_visit(void *ud, const floe_opt_input *in, floe_err *err)
{
    eval_state *s = ud;
    floe_status st = opt_eval_check(in, err);
    if (st != FLOE_OK) {
        return st;
    }
    const floe_data_file *f = &in->data->file;
    bool in_scope = true;
    st = opt_eval_in_scope(&s->c, f, &in_scope, err);
    if (st != FLOE_OK) {
        return st;
    }
    if (!in_scope) {
        s->sum.filtered_out++;
        return FLOE_OK;
    }
    st = opt_eval_key(&s->c, f, err);
    if (st != FLOE_OK) {
        return st;
    }
    part_agg *pa = floe_map_get(s->parts, s->c.key.data, s->c.key.len);
    if (pa == NULL) {
        pa = floe_xcalloc(1, sizeof(*pa));
        pa->st.spec_id = f->spec_id;
        pa->st.min1_undersized = INT64_MAX;
        pa->st.min2_undersized = INT64_MAX;
        floe_map_put(s->parts, s->c.key.data, s->c.key.len, pa);
        pa->st.key = floe_arena_strndup(s->c.a, s->c.key.data, s->c.key.len);
        if (pa->st.key == NULL) {
            return floe_arena_check(s->c.a, err);
        }
        st = opt_partition_json(&s->c, f, &pa->st.partition, err);
        if (st != FLOE_OK) {
            return st;
        }
    }
    int64_t size = f->file_size_in_bytes, recs = f->record_count;
    s->sum.data_files++;
    s->sum.data_bytes += size;
    s->sum.data_records += recs;

    bool combine = false;
    floe_opt_partition_stats *ps = &pa->st;
    switch (opt_classify(&s->c, in, &combine)) {
    case OPT_C_FRAGMENT:
        ps->fragment_count++;
        ps->fragment_bytes += size;
        ps->fragment_records += recs;
        count_deletes(pa, in);
        break;
    case OPT_C_UNDERSIZED:
        ps->undersized_count++;
        ps->undersized_bytes += size;
        ps->undersized_records += recs;
        if (size < ps->min1_undersized) {
            ps->min2_undersized = ps->min1_undersized;
            ps->min1_undersized = size;
        } else if (size < ps->min2_undersized) {
            ps->min2_undersized = size;
        }
        count_deletes(pa, in);
        break;
    case OPT_C_REWRITE:
        ps->rewrite_segment_count++;
        ps->rewrite_segment_bytes += size;
        ps->rewrite_segment_records += recs;
        count_deletes(pa, in);
        break;
    case OPT_C_REWRITE_POS:
        ps->rewrite_pos_count++;
        ps->rewrite_pos_bytes += size;
        ps->rewrite_pos_records += recs;
        if (combine) {
            ps->combine_pos_count++;
        }
        count_deletes(pa, in);
        break;
    case OPT_C_RESERVED:
        ps->reserved_count++;
        ps->reserved_bytes += size;
        ps->reserved_records += recs;
        break;
    }
    return FLOE_OK;
}

/* ==== Decisions ==== */

static bool any_delete(const floe_opt_partition_stats *p)
{
    return p->eq_delete_count > 0 || p->pos_delete_count > 0;
}

static bool full_necessary(const floe_opt_partition_stats *p)
{
    /* Amoro's condition, except that a partition whose only candidate is one file without
     * deletes is not "necessary": the task would be dropped as gaining nothing, the plan would
     * come out empty and the full interval would fire again at every evaluation (Amoro
     * #2805/#2934). */
    if (any_delete(p) || p->fragment_count >= 2 || p->undersized_count >= 2 ||
        p->rewrite_pos_count > 0) {
        return true;
    }
    return p->rewrite_segment_count > 0 &&
           p->fragment_count + p->undersized_count + p->rewrite_segment_count >= 2;
}

static bool major_necessary(const floe_opt_props *props, const floe_opt_partition_stats *p)
{
    /* Enough undersized content for at least one target-size file, and two of them fit in one. */
    bool enough = p->undersized_bytes >= props->target_size && p->min2_undersized != INT64_MAX &&
                  p->min1_undersized + p->min2_undersized <= props->target_size;
    return enough || p->rewrite_segment_count > 0;
}

static bool minor_necessary(const floe_opt_table_ctx *t, const floe_opt_partition_stats *p)
{
    const floe_opt_props *props = t->props;
    int64_t small = p->fragment_count + p->eq_delete_count;
    bool interval = props->minor_trigger_interval_ms >= 0 &&
                    t->now_ms - t->last_minor_ms > props->minor_trigger_interval_ms;
    return small >= props->minor_trigger_file_count || (small > 1 && interval) ||
           p->combine_pos_count > 0;
}

static void decide(const opt_eval_ctx *c, floe_opt_partition_stats *p)
{
    if (c->full_mode) {
        p->type = full_necessary(p) ? FLOE_OPT_FULL : FLOE_OPT_NONE;
    } else if (major_necessary(c->p, p)) {
        p->type = FLOE_OPT_MAJOR;
    } else if (minor_necessary(c->t, p)) {
        p->type = FLOE_OPT_MINOR;
    } else {
        p->type = FLOE_OPT_NONE;
    }
    /* Amoro's cost: reading and writing the rewritten bytes, a tenth of the segments whose
     * deletes are rewritten (only key columns are read), the deletes, and an open cost per
     * file. */
    int64_t files = p->fragment_count + p->rewrite_segment_count + p->undersized_count +
                    p->rewrite_pos_count + p->pos_delete_count + p->eq_delete_count;
    p->cost = (p->fragment_bytes + p->rewrite_segment_bytes + p->undersized_bytes) * 2 +
              p->rewrite_pos_bytes / 10 + p->pos_delete_bytes + p->eq_delete_bytes +
              files * c->p->open_file_cost;
}

static double norm_ratio(double num, double den)
{
    if (den <= 0) {
        return 0;
    }
    return (num < den ? num : den) / den;
}

void floe_opt_health_score(const floe_opt_props *p, floe_opt_summary *s)
{
    double min_target = (double)floe_opt_props_min_target_size(p);
    double files = (double)s->data_files, bytes = (double)s->data_bytes;
    double records = (double)s->data_records;
    double avg = files > 0 ? bytes / files : 0;
    double eq_ratio = norm_ratio((double)s->eq_delete_records, records);
    double pos_ratio = norm_ratio((double)s->pos_delete_records, records);
    /* Few files or little data: small penalties (a table of one file is perfectly healthy). */
    double table = files <= 1 ? 0
                              : norm_ratio(files, (double)p->minor_trigger_file_count) *
                                    norm_ratio(bytes, min_target);
    double small_pen = 1 - norm_ratio(avg, min_target);
    double eq_pen = norm_ratio(eq_ratio, p->major_trigger_duplicate_ratio);
    double pos_pen = norm_ratio(pos_ratio, p->major_trigger_duplicate_ratio * 2);
    s->small_file_score = (int32_t)ceil(40 - table * 40 * small_pen);
    s->eq_delete_score = (int32_t)ceil(40 - table * 40 * eq_pen);
    s->pos_delete_score = (int32_t)ceil(20 - table * 20 * pos_pen);
    s->health_score = s->small_file_score + s->eq_delete_score + s->pos_delete_score;
}

static int stats_cmp(const void *x, const void *y)
{
    const floe_opt_partition_stats *a = x, *b = y;
    if (a->cost != b->cost) {
        return a->cost > b->cost ? -1 : 1;
    }
    if (a->spec_id != b->spec_id) {
        return a->spec_id < b->spec_id ? -1 : 1;
    }
    return strcmp(a->partition, b->partition);
}

floe_status floe_opt_evaluate(floe_arena *a, const floe_opt_table_ctx *ctx,
                              const floe_opt_source *src, floe_opt_evaluation **out, floe_err *err)
{
    eval_state s = {0};
    floe_status st = opt_eval_init(&s.c, a, ctx, err);
    s.parts = floe_map_new(&PART_AGG_TYPE);
    if (st == FLOE_OK) {
        st = src->scan(src->ud, eval_visit, &s, err);
        if (st != FLOE_OK) {
            st = floe_err_wrap(err, "evaluate");
        }
    }
    floe_opt_evaluation *ev = NULL;
    if (st == FLOE_OK) {
        ev = floe_arena_calloc(a, 1, sizeof(*ev));
        size_t n = floe_map_count(s.parts);
        if (ev != NULL) {
            ev->partitions = floe_arena_calloc(a, n > 0 ? n : 1, sizeof(*ev->partitions));
        }
        if (ev == NULL || ev->partitions == NULL) {
            st = floe_arena_check(a, err);
        }
    }
    if (st == FLOE_OK) {
        floe_map_iter it = {0};
        const char *k;
        size_t kl;
        void *v;
        floe_opt_summary *sum = &s.sum;
        sum->full_interval_reached = s.c.full_mode;
        while (floe_map_next(s.parts, &it, &k, &kl, &v)) {
            floe_opt_partition_stats *p = &((part_agg *)v)->st;
            decide(&s.c, p);
            ev->partitions[ev->n_partitions++] = *p;
            sum->partitions++;
            sum->fragment_count += p->fragment_count;
            sum->fragment_bytes += p->fragment_bytes;
            sum->undersized_count += p->undersized_count;
            sum->undersized_bytes += p->undersized_bytes;
            sum->segment_count +=
                p->rewrite_segment_count + p->rewrite_pos_count + p->reserved_count;
            sum->segment_bytes +=
                p->rewrite_segment_bytes + p->rewrite_pos_bytes + p->reserved_bytes;
            sum->eq_delete_files += p->eq_delete_count;
            sum->eq_delete_bytes += p->eq_delete_bytes;
            sum->eq_delete_records += p->eq_delete_records;
            sum->pos_delete_files += p->pos_delete_count;
            sum->pos_delete_bytes += p->pos_delete_bytes;
            sum->pos_delete_records += p->pos_delete_records;
            if (p->type != FLOE_OPT_NONE) {
                sum->pending_partitions++;
                sum->pending_files += p->fragment_count + p->undersized_count +
                                      p->rewrite_segment_count + p->rewrite_pos_count;
                sum->pending_bytes += p->fragment_bytes + p->undersized_bytes +
                                      p->rewrite_segment_bytes + p->rewrite_pos_bytes;
                if (p->type > sum->type) {
                    sum->type = p->type;
                }
            }
        }
        floe_opt_health_score(ctx->props, sum);
        ev->summary = *sum;
        if (ev->n_partitions > 1) {
            qsort(ev->partitions, ev->n_partitions, sizeof(*ev->partitions), stats_cmp);
        }
        *out = ev;
    }
    floe_map_free(s.parts);
    opt_eval_fini(&s.c);
    return st;
}

/* ==== JSON ==== */

#define SET_I(o, k, v) json_object_set_new((o), (k), opt_json_int(v))

json_t *floe_opt_summary_to_json(const floe_opt_summary *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(floe_opt_type_name(s->type)));
    SET_I(o, "data-files", s->data_files);
    SET_I(o, "data-bytes", s->data_bytes);
    SET_I(o, "data-records", s->data_records);
    SET_I(o, "filtered-out-files", s->filtered_out);
    SET_I(o, "fragment-files", s->fragment_count);
    SET_I(o, "fragment-bytes", s->fragment_bytes);
    SET_I(o, "undersized-files", s->undersized_count);
    SET_I(o, "undersized-bytes", s->undersized_bytes);
    SET_I(o, "segment-files", s->segment_count);
    SET_I(o, "segment-bytes", s->segment_bytes);
    SET_I(o, "equality-delete-files", s->eq_delete_files);
    SET_I(o, "equality-delete-bytes", s->eq_delete_bytes);
    SET_I(o, "equality-delete-records", s->eq_delete_records);
    SET_I(o, "position-delete-files", s->pos_delete_files);
    SET_I(o, "position-delete-bytes", s->pos_delete_bytes);
    SET_I(o, "position-delete-records", s->pos_delete_records);
    SET_I(o, "partitions", s->partitions);
    SET_I(o, "pending-partitions", s->pending_partitions);
    SET_I(o, "pending-files", s->pending_files);
    SET_I(o, "pending-bytes", s->pending_bytes);
    SET_I(o, "health-score", s->health_score);
    SET_I(o, "small-file-score", s->small_file_score);
    SET_I(o, "equality-delete-score", s->eq_delete_score);
    SET_I(o, "position-delete-score", s->pos_delete_score);
    json_object_set_new(o, "full-interval-reached", json_boolean(s->full_interval_reached));
    return o;
}

json_t *floe_opt_partition_stats_to_json(const floe_opt_partition_stats *p)
{
    json_t *o = json_object();
    SET_I(o, "spec-id", p->spec_id);
    json_t *part = p->partition ? json_loads(p->partition, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(o, "partition", part ? part : json_null());
    json_object_set_new(o, "type", json_string(floe_opt_type_name(p->type)));
    SET_I(o, "cost", p->cost);
    SET_I(o, "fragment-files", p->fragment_count);
    SET_I(o, "fragment-bytes", p->fragment_bytes);
    SET_I(o, "undersized-files", p->undersized_count);
    SET_I(o, "undersized-bytes", p->undersized_bytes);
    SET_I(o, "rewrite-segment-files", p->rewrite_segment_count);
    SET_I(o, "rewrite-segment-bytes", p->rewrite_segment_bytes);
    SET_I(o, "rewrite-pos-segment-files", p->rewrite_pos_count);
    SET_I(o, "rewrite-pos-segment-bytes", p->rewrite_pos_bytes);
    SET_I(o, "reserved-segment-files", p->reserved_count);
    SET_I(o, "reserved-segment-bytes", p->reserved_bytes);
    SET_I(o, "equality-delete-files", p->eq_delete_count);
    SET_I(o, "position-delete-files", p->pos_delete_count);
    return o;
}
