/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the self-optimizing JSON readers that take bytes from optimizers and the store: task
 * inputs and outputs, tasks, processes and runtimes. Any input either parses or fails with a
 * message; whatever parses writes back to JSON that parses again to the same JSON.
 */
#include "floe/optimizing.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fail(floe_status st, const floe_err *err)
{
    FLOE_VERIFY(st != FLOE_OK && err->code != FLOE_OK && err->msg[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ((size_t)1 << 20)) {
        return 0;
    }
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (j == NULL) {
        return 0;
    }
    floe_arena *a = floe_arena_new((size_t)64 << 20);

    floe_opt_task_input in;
    floe_err err = {0};
    floe_status st = floe_opt_task_input_from_json(a, j, &in, &err);
    if (st == FLOE_OK) {
        json_t *w = floe_opt_task_input_to_json(&in);
        floe_opt_task_input again;
        FLOE_VERIFY(floe_opt_task_input_from_json(a, w, &again, NULL) == FLOE_OK);
        json_t *w2 = floe_opt_task_input_to_json(&again);
        FLOE_VERIFY(json_equal(w, w2));
        json_decref(w);
        json_decref(w2);
    } else {
        check_fail(st, &err);
    }

    floe_opt_task_output out;
    floe_err_clear(&err);
    st = floe_opt_task_output_from_json(a, j, &out, &err);
    if (st == FLOE_OK) {
        json_t *w = floe_opt_task_output_to_json(&out);
        floe_opt_task_output again;
        FLOE_VERIFY(floe_opt_task_output_from_json(a, w, &again, NULL) == FLOE_OK);
        json_t *w2 = floe_opt_task_output_to_json(&again);
        FLOE_VERIFY(json_equal(w, w2));
        json_decref(w);
        json_decref(w2);
    } else {
        check_fail(st, &err);
    }

    floe_opt_task task = {0};
    floe_err_clear(&err);
    st = floe_opt_task_from_json(j, &task, &err);
    if (st == FLOE_OK) {
        json_t *w = floe_opt_task_to_json(&task);
        floe_opt_task again = {0};
        FLOE_VERIFY(floe_opt_task_from_json(w, &again, NULL) == FLOE_OK);
        json_t *w2 = floe_opt_task_to_json(&again);
        FLOE_VERIFY(json_equal(w, w2));
        json_decref(w);
        json_decref(w2);
        floe_opt_task_fini(&again);
    } else {
        check_fail(st, &err);
    }
    floe_opt_task_fini(&task);

    floe_opt_process *p = NULL;
    floe_err_clear(&err);
    st = floe_opt_process_from_json(j, &p, &err);
    if (st == FLOE_OK) {
        json_t *w = floe_opt_process_to_json(p, true);
        floe_opt_process *again = NULL;
        FLOE_VERIFY(floe_opt_process_from_json(w, &again, NULL) == FLOE_OK);
        floe_opt_process_free(again);
        json_decref(w);
        floe_opt_process_free(p);
    } else {
        check_fail(st, &err);
    }

    floe_opt_runtime rt;
    floe_err_clear(&err);
    st = floe_opt_runtime_from_json(j, &rt, &err);
    if (st == FLOE_OK) {
        json_t *w = floe_opt_runtime_to_json(&rt, 0);
        floe_opt_runtime again;
        FLOE_VERIFY(floe_opt_runtime_from_json(w, &again, NULL) == FLOE_OK);
        json_decref(w);
    } else {
        check_fail(st, &err);
    }

    floe_arena_free(a);
    json_decref(j);
    return 0;
}
