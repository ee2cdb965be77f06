/* SPDX-License-Identifier: Apache-2.0 */
/* Sample schemas and records for the Avro tests; see sample.h. */
#include "sample.h"

#include <stdio.h>
#include <string.h>

const char avro_sample_all_types_schema[] =
    "{\"type\":\"record\",\"name\":\"all_types\",\"namespace\":\"floe.test\",\"doc\":\"every "
    "Avro type\",\"fields\":["
    "{\"name\":\"n\",\"type\":\"null\",\"field-id\":1},"
    "{\"name\":\"b\",\"type\":\"boolean\",\"field-id\":2},"
    "{\"name\":\"i\",\"type\":\"int\",\"field-id\":3},"
    "{\"name\":\"l\",\"type\":\"long\",\"field-id\":4},"
    "{\"name\":\"f\",\"type\":\"float\",\"field-id\":5},"
    "{\"name\":\"d\",\"type\":\"double\",\"field-id\":6},"
    "{\"name\":\"by\",\"type\":\"bytes\",\"field-id\":7},"
    "{\"name\":\"s\",\"type\":\"string\",\"field-id\":8},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Suit\",\"symbols\":[\"SPADES\","
    "\"HEARTS\",\"CLUBS\"]},\"field-id\":9},"
    "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"F4\",\"size\":4},\"field-id\":10},"
    "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"long\",\"element-id\":12},"
    "\"field-id\":11},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"int\"],\"key-id\":14,"
    "\"value-id\":15},\"field-id\":13},"
    "{\"name\":\"u\",\"type\":[\"null\",\"string\",\"long\"],\"default\":null,\"field-id\":16},"
    "{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,"
    "\"scale\":2},\"field-id\":17},"
    "{\"name\":\"decf\",\"type\":{\"type\":\"fixed\",\"name\":\"D9\",\"size\":9,\"logicalType\":"
    "\"decimal\",\"precision\":20,\"scale\":3},\"field-id\":18},"
    "{\"name\":\"uuid\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"},\"field-id\":19},"
    "{\"name\":\"uuidf\",\"type\":{\"type\":\"fixed\",\"name\":\"uuid_fixed\",\"size\":16,"
    "\"logicalType\":\"uuid\"},\"field-id\":20},"
    "{\"name\":\"date\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"},\"field-id\":21},"
    "{\"name\":\"tms\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"},"
    "\"field-id\":22},"
    "{\"name\":\"tus\",\"type\":{\"type\":\"long\",\"logicalType\":\"time-micros\"},"
    "\"field-id\":23},"
    "{\"name\":\"tsms\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},"
    "\"field-id\":24},"
    "{\"name\":\"tsus\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\","
    "\"adjust-to-utc\":false},\"field-id\":25},"
    "{\"name\":\"tsns\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-nanos\"},"
    "\"field-id\":26},"
    "{\"name\":\"lts\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"},"
    "\"field-id\":27},"
    "{\"name\":\"kv\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":"
    "\"k29_v30\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":29},{\"name\":"
    "\"value\",\"type\":[\"null\",\"string\"],\"field-id\":30}]},\"logicalType\":\"map\"},"
    "\"field-id\":28},"
    "{\"name\":\"rec\",\"type\":{\"type\":\"record\",\"name\":\"Inner\",\"fields\":[{\"name\":"
    "\"suit\",\"type\":\"Suit\",\"field-id\":32},{\"name\":\"opt\",\"type\":[\"null\",\"F4\"],"
    "\"default\":null,\"field-id\":33}]},\"field-id\":31}"
    "]}";

/* An Iceberg v2 manifest_entry with a three-field partition, as Java writes it. */
const char avro_sample_manifest_schema[] =
    "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
    "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
    "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
    "{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":3},"
    "{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,"
    "\"field-id\":4},"
    "{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
    "{\"name\":\"content\",\"type\":\"int\",\"doc\":\"Contents of the file: 0=data, 1=position "
    "deletes, 2=equality deletes\",\"field-id\":134},"
    "{\"name\":\"file_path\",\"type\":\"string\",\"doc\":\"Location URI with FS scheme\","
    "\"field-id\":100},"
    "{\"name\":\"file_format\",\"type\":\"string\",\"doc\":\"File format name: avro, orc, or "
    "parquet\",\"field-id\":101},"
    "{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":["
    "{\"name\":\"id_bucket\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":1000},"
    "{\"name\":\"ts_day\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}],"
    "\"default\":null,\"field-id\":1001},"
    "{\"name\":\"event_ts\",\"type\":[\"null\",{\"type\":\"long\",\"logicalType\":"
    "\"timestamp-micros\",\"adjust-to-utc\":true}],\"default\":null,\"field-id\":1002}]},"
    "\"doc\":\"Partition data tuple, schema based on the partition spec\",\"field-id\":102},"
    "{\"name\":\"record_count\",\"type\":\"long\",\"doc\":\"Number of records in the file\","
    "\"field-id\":103},"
    "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"doc\":\"Total file size in bytes\","
    "\"field-id\":104},"
    "{\"name\":\"column_sizes\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":"
    "\"record\",\"name\":\"k117_v118\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
    "\"field-id\":117},{\"name\":\"value\",\"type\":\"long\",\"field-id\":118}]},"
    "\"logicalType\":\"map\"}],\"doc\":\"Map of column id to total size on disk\",\"default\":"
    "null,\"field-id\":108},"
    "{\"name\":\"value_counts\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":"
    "\"record\",\"name\":\"k119_v120\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
    "\"field-id\":119},{\"name\":\"value\",\"type\":\"long\",\"field-id\":120}]},"
    "\"logicalType\":\"map\"}],\"doc\":\"Map of column id to total count, including null and "
    "NaN\",\"default\":null,\"field-id\":109},"
    "{\"name\":\"null_value_counts\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":"
    "\"record\",\"name\":\"k121_v122\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
    "\"field-id\":121},{\"name\":\"value\",\"type\":\"long\",\"field-id\":122}]},"
    "\"logicalType\":\"map\"}],\"doc\":\"Map of column id to null value count\",\"default\":"
    "null,\"field-id\":110},"
    "{\"name\":\"nan_value_counts\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":"
    "\"record\",\"name\":\"k138_v139\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
    "\"field-id\":138},{\"name\":\"value\",\"type\":\"long\",\"field-id\":139}]},"
    "\"logicalType\":\"map\"}],\"doc\":\"Map of column id to number of NaN values in the "
    "column\",\"default\":null,\"field-id\":137},"
    "{\"name\":\"lower_bounds\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":"
    "\"record\",\"name\":\"k126_v127\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
    "\"field-id\":126},{\"name\":\"value\",\"type\":\"bytes\",\"field-id\":127}]},"
    "\"logicalType\":\"map\"}],\"doc\":\"Map of column id to lower bound\",\"default\":null,"
    "\"field-id\":125},"
    "{\"name\":\"upper_bounds\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":"
    "\"record\",\"name\":\"k129_v130\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
    "\"field-id\":129},{\"name\":\"value\",\"type\":\"bytes\",\"field-id\":130}]},"
    "\"logicalType\":\"map\"}],\"doc\":\"Map of column id to upper bound\",\"default\":null,"
    "\"field-id\":128},"
    "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"doc\":\"Encryption key metadata "
    "blob\",\"default\":null,\"field-id\":131},"
    "{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\","
    "\"element-id\":133}],\"doc\":\"Splittable offsets\",\"default\":null,\"field-id\":132},"
    "{\"name\":\"equality_ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\","
    "\"element-id\":136}],\"doc\":\"Equality comparison field IDs\",\"default\":null,"
    "\"field-id\":135},"
    "{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"doc\":\"Sort order ID\","
    "\"default\":null,\"field-id\":140},"
    "{\"name\":\"referenced_data_file\",\"type\":[\"null\",\"string\"],\"doc\":\"Fully qualified "
    "location (URI with FS scheme) of a data file that all deletes reference\",\"default\":null,"
    "\"field-id\":143}"
    "]},\"field-id\":2}]}";

/* ==== Builders ==== */

floe_value avro_sample_struct(floe_arena *a, const char *const *names, size_t n,
                              const floe_value *items)
{
    floe_value v = {.kind = FLOE_V_STRUCT};
    v.u.nested.items = floe_arena_memdup(a, items, n * sizeof(floe_value));
    v.u.nested.names = names;
    v.u.nested.n = n;
    return v;
}

floe_value avro_sample_list(floe_arena *a, size_t n, const floe_value *items)
{
    floe_value v = {.kind = FLOE_V_LIST};
    v.u.nested.items = n ? floe_arena_memdup(a, items, n * sizeof(floe_value)) : NULL;
    v.u.nested.n = n;
    return v;
}

floe_value avro_sample_map(floe_arena *a, size_t n, const floe_value *kv)
{
    floe_value v = {.kind = FLOE_V_MAP};
    v.u.nested.items = n ? floe_arena_memdup(a, kv, 2 * n * sizeof(floe_value)) : NULL;
    v.u.nested.n = n;
    return v;
}

static floe_value str(floe_arena *a, const char *s)
{
    char *p = floe_arena_strdup(a, s);
    return floe_value_string(p, strlen(p));
}

/* ==== Records ==== */

floe_value avro_sample_all_types(floe_arena *a, int i)
{
    static const char *const names[] = {
        "n",   "b",   "i",    "l",    "f",    "d",    "by",   "s",     "e",
        "fx",  "arr", "m",    "u",    "dec",  "decf", "uuid", "uuidf", "date",
        "tms", "tus", "tsms", "tsus", "tsns", "lts",  "kv",   "rec",
    };
    static const char *const inner_names[] = {"suit", "opt"};
    static const char *const suits[] = {"SPADES", "HEARTS", "CLUBS"};
    static const uint8_t uuid_bytes[16] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
                                           0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
    uint8_t *by = floe_arena_alloc(a, 3);
    by[0] = 0x00;
    by[1] = (uint8_t)i;
    by[2] = 0xff;
    uint8_t *fx = floe_arena_alloc(a, 4);
    memcpy(fx, "ab\x00z", 4);
    fx[3] = (uint8_t)('a' + i % 26);
    uint8_t *uu = floe_arena_memdup(a, uuid_bytes, 16);
    uu[15] = (uint8_t)i;

    floe_value arr_items[3] = {floe_value_long(INT64_MIN), floe_value_long(i),
                               floe_value_long(INT64_MAX)};
    floe_value m_kv[4] = {str(a, "one"), floe_value_int(1), str(a, "nothing"), floe_value_null()};
    floe_value kv[4] = {floe_value_int(7), str(a, "seven"), floe_value_int(-1), floe_value_null()};
    floe_value inner[2] = {str(a, suits[(i + 1) % 3]),
                           i % 2 ? floe_value_fixed(fx, 4) : floe_value_null()};
    floe_value u = i % 3 == 0   ? floe_value_null()
                   : i % 3 == 1 ? str(a, "branch string")
                                : floe_value_long(-9007199254740993LL - i);
    char text[64];
    snprintf(text, sizeof(text),
             "r\xc3\xa9"
             "cord %d \xf0\x9f\x90\x87",
             i);
    floe_value items[] = {
        floe_value_null(),
        floe_value_bool(i % 2 == 0),
        floe_value_int(i % 2 ? INT32_MIN : INT32_MAX - i),
        floe_value_long(1234567890123456789LL + i),
        floe_value_float(1.5f + (float)i),
        floe_value_double(i % 2 ? -0.0 : 3.141592653589793),
        floe_value_binary(by, 3),
        str(a, text),
        str(a, suits[i % 3]),
        floe_value_fixed(fx, 4),
        avro_sample_list(a, 3, arr_items),
        avro_sample_map(a, 2, m_kv),
        u,
        floe_value_decimal(i % 2 ? -12345 - i : 99999999, 10, 2),
        floe_value_decimal((__int128)-123456789012345678LL * 100 - i, 20, 3),
        floe_value_uuid(uu),
        floe_value_uuid(uu),
        floe_value_date(19723 + i),
        floe_value_time(45296789 + i, FLOE_UNIT_MILLIS),
        floe_value_time(45296789012LL + i, FLOE_UNIT_MICROS),
        floe_value_timestamp(1704067200123LL + i, FLOE_UNIT_MILLIS, true),
        floe_value_timestamp(1704067200123456LL + i, FLOE_UNIT_MICROS, false),
        floe_value_timestamp(1704067200123456789LL + i, FLOE_UNIT_NANOS, true),
        floe_value_timestamp(-1000000LL - i, FLOE_UNIT_MICROS, false),
        avro_sample_map(a, 2, kv),
        avro_sample_struct(a, inner_names, 2, inner),
    };
    return avro_sample_struct(a, names, FLOE_ARRAY_LEN(items), items);
}

floe_value avro_sample_manifest_entry(floe_arena *a, int i)
{
    static const char *const entry_names[] = {"status", "snapshot_id", "sequence_number",
                                              "file_sequence_number", "data_file"};
    static const char *const file_names[] = {
        "content",
        "file_path",
        "file_format",
        "partition",
        "record_count",
        "file_size_in_bytes",
        "column_sizes",
        "value_counts",
        "null_value_counts",
        "nan_value_counts",
        "lower_bounds",
        "upper_bounds",
        "key_metadata",
        "split_offsets",
        "equality_ids",
        "sort_order_id",
        "referenced_data_file",
    };
    static const char *const part_names[] = {"id_bucket", "ts_day", "event_ts"};
    bool existing = i % 3 == 2;
    char path[128];
    snprintf(path, sizeof(path), "s3://warehouse/db/events/data/ts_day=2024-01-0%d/%05d-%d.parquet",
             1 + i % 3, i, i * 7);
    floe_value part[3] = {
        floe_value_int(i % 4),
        floe_value_date(19723 + i % 3),
        i % 2 ? floe_value_null()
              : floe_value_timestamp(1704067200000000LL + i, FLOE_UNIT_MICROS, true),
    };
    floe_value sizes[4] = {floe_value_int(1), floe_value_long(100 + i), floe_value_int(2),
                           floe_value_long(2000)};
    floe_value counts[4] = {floe_value_int(1), floe_value_long(10 + i), floe_value_int(2),
                            floe_value_long(10 + i)};
    floe_value nulls[4] = {floe_value_int(1), floe_value_long(0), floe_value_int(2),
                           floe_value_long(i % 5)};
    uint8_t *lo = floe_arena_alloc(a, 4), *hi = floe_arena_alloc(a, 4);
    floe_store_u32le(lo, (uint32_t)i);
    floe_store_u32le(hi, (uint32_t)(i + 1000));
    floe_value lower[2] = {floe_value_int(1), floe_value_binary(lo, 4)};
    floe_value upper[2] = {floe_value_int(1), floe_value_binary(hi, 4)};
    floe_value offsets[1] = {floe_value_long(4)};
    floe_value file[] = {
        floe_value_int(0),
        str(a, path),
        str(a, "PARQUET"),
        avro_sample_struct(a, part_names, 3, part),
        floe_value_long(10 + i),
        floe_value_long(4096 + i),
        avro_sample_map(a, 2, sizes),
        avro_sample_map(a, 2, counts),
        avro_sample_map(a, 2, nulls),
        avro_sample_map(a, 0, NULL),
        avro_sample_map(a, 1, lower),
        avro_sample_map(a, 1, upper),
        floe_value_null(),
        avro_sample_list(a, 1, offsets),
        floe_value_null(),
        floe_value_int(0),
        floe_value_null(),
    };
    floe_value entry[] = {
        floe_value_int(existing ? 0 : 1),
        floe_value_long(5276958600260276572LL + i),
        existing ? floe_value_long(7) : floe_value_null(),
        existing ? floe_value_long(7) : floe_value_null(),
        avro_sample_struct(a, file_names, FLOE_ARRAY_LEN(file), file),
    };
    return avro_sample_struct(a, entry_names, FLOE_ARRAY_LEN(entry), entry);
}
