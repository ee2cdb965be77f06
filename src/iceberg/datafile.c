/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data files and manifest entries: file format names and sequence-number / snapshot-id
 * inheritance (spec "Sequence Number Inheritance"). The Avro codec that fills these structs
 * lives with the manifest reader.
 */
#include "ice_int.h"

#include <strings.h>

static const char *const FORMAT_NAMES[] = {
    [FLOE_FORMAT_PARQUET] = "parquet",
    [FLOE_FORMAT_AVRO] = "avro",
    [FLOE_FORMAT_ORC] = "orc",
    [FLOE_FORMAT_PUFFIN] = "puffin",
};

const char *floe_file_content_name(floe_file_content c)
{
    switch (c) {
    case FLOE_CONTENT_DATA:
        return "data";
    case FLOE_CONTENT_POSITION_DELETES:
        return "position-deletes";
    case FLOE_CONTENT_EQUALITY_DELETES:
        return "equality-deletes";
    }
    return "unknown";
}

const char *floe_file_format_name(floe_file_format f)
{
    if ((unsigned)f >= FLOE_ARRAY_LEN(FORMAT_NAMES)) {
        return "unknown";
    }
    return FORMAT_NAMES[f];
}

floe_status floe_file_format_parse(const char *s, floe_file_format *out, floe_err *err)
{
    for (size_t i = 0; i < FLOE_ARRAY_LEN(FORMAT_NAMES); i++) {
        if (strcasecmp(s, FORMAT_NAMES[i]) == 0) {
            *out = (floe_file_format)i;
            return FLOE_OK;
        }
    }
    return floe_err_set(err, FLOE_ERR_UNSUPPORTED, "unknown file format \"%s\"", s);
}

floe_status floe_manifest_entry_inherit(floe_manifest_entry *e, const floe_manifest_file *manifest,
                                        int format_version, floe_err *err)
{
    if (!e->has_snapshot_id) {
        e->snapshot_id = manifest->added_snapshot_id;
        e->has_snapshot_id = true;
    }
    if (format_version < 2) {
        /* v1 manifests carry no sequence numbers: everything is 0. */
        if (!e->has_sequence_number) {
            e->sequence_number = 0;
            e->has_sequence_number = true;
        }
        if (!e->has_file_sequence_number) {
            e->file_sequence_number = 0;
            e->has_file_sequence_number = true;
        }
        return FLOE_OK;
    }
    if (e->status == FLOE_ENTRY_ADDED) {
        if (!e->has_sequence_number) {
            e->sequence_number = manifest->sequence_number;
            e->has_sequence_number = true;
        }
        if (!e->has_file_sequence_number) {
            e->file_sequence_number = manifest->sequence_number;
            e->has_file_sequence_number = true;
        }
        return FLOE_OK;
    }
    if (!e->has_sequence_number) {
        return floe_err_set(err, FLOE_ERR_CORRUPT,
                            "%s entry for %s has no sequence number (only added entries inherit)",
                            e->status == FLOE_ENTRY_EXISTING ? "existing" : "deleted",
                            e->file.file_path != NULL ? e->file.file_path : "?");
    }
    if (!e->has_file_sequence_number) {
        /* Java 1.x wrote existing entries without file sequence numbers before they existed;
         * the data sequence number is the best value left. */
        e->file_sequence_number = e->sequence_number;
        e->has_file_sequence_number = true;
    }
    return FLOE_OK;
}
