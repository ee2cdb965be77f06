// SPDX-License-Identifier: Apache-2.0
// `floe parquet cat` against independent readers: every shared Parquet fixture and files that
// DuckDB writes here (every type it can write, nulls at every level, every codec, data page v2,
// many row groups, empty files) are read by floe and by DuckDB, both turned into the canonical
// JSON of include/floe/value.h, and compared row by row. hyparquet checks the columns it can
// return exactly (no decimals, no maps).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet/src/node.js';
import { compressors } from 'hyparquet-compressors';

import { decimalText, duckRows, float32Text, float64Text, hexText, timeText, timestampText } from './canonical.mjs';
import { SHARED_FIXTURES, copyFixture, duckdb, floe, tempDir } from './lib.mjs';

const sqlPath = (p) => `'${p.replaceAll("'", "''")}'`;

/** Rows of `floe parquet cat`, failing the test with floe's stderr when it fails. */
function floeRows(file, extra = []) {
  const r = floe(['parquet', 'cat', file, ...extra]);
  assert.equal(r.status, 0, `floe parquet cat ${file} failed: ${r.stderr}`);
  return r.stdout === '' ? [] : r.stdout.replace(/\n$/, '').split('\n');
}

/** DuckDB's reading of `file` in canonical form (INT96 columns keep nanosecond digits). */
async function duckFileRows(conn, file, columns = '*') {
  const schema = await (await conn.runAndReadAll(`SELECT name, type FROM parquet_schema(${sqlPath(file)})`)).getRows();
  const hints = {};
  for (const [name, type] of schema) if (type === 'INT96') hints[name] = { int96: true };
  return duckRows(conn, `SELECT ${columns} FROM read_parquet(${sqlPath(file)})`, hints);
}

function assertSameRows(got, want, label) {
  assert.equal(got.length, want.length, `${label}: floe has ${got.length} rows, the other reader ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      assert.fail(`${label}: row ${i} differs\n  floe:  ${got[i]}\n  other: ${want[i]}`);
    }
  }
}

// ---- hyparquet: exact canonical values for the types it returns without loss ----

const hyParsers = {
  timestampFromMilliseconds: (v) => ({ ts: 'ms', v: BigInt(v) }),
  timestampFromMicroseconds: (v) => ({ ts: 'us', v: BigInt(v) }),
  timestampFromNanoseconds: (v) => ({ ts: 'ns', v: BigInt(v) }),
  dateFromDays: (v) => ({ days: v }),
  jsonFromBytes: (b) => b && new TextDecoder().decode(b),
};

/** Whether hyparquet returns every value under `node` exactly. */
function hyExact(node) {
  const e = node.element;
  const lt = e.logical_type?.type;
  if (e.converted_type === 'DECIMAL' || lt === 'DECIMAL') return false;
  if (e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || lt === 'MAP') return false;
  if (['INTERVAL', 'BSON'].includes(e.converted_type) || ['VARIANT', 'GEOMETRY', 'GEOGRAPHY'].includes(lt)) return false;
  if (node.children.length === 0 && e.type === 'INT96') return true;
  return node.children.every(hyExact);
}

function hyLeaf(v, e) {
  if (v === null || v === undefined) return 'null';
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (v.ts) {
    const utc = e.type === 'INT96' ? false : lt?.type === 'TIMESTAMP' ? lt.isAdjustedToUTC : true;
    return timestampText(v.v, v.ts, utc);
  }
  if (v.days !== undefined) {
    return JSON.stringify(new Date(v.days * 86400000).toISOString().slice(0, 10));
  }
  if (lt?.type === 'TIME' || ct === 'TIME_MILLIS' || ct === 'TIME_MICROS') {
    const unit = lt?.type === 'TIME' ? { MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' }[lt.unit] : ct === 'TIME_MILLIS' ? 'ms' : 'us';
    return timeText(v, unit);
  }
  switch (e.type) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'INT32':
    case 'INT64':
      return BigInt(v).toString();
    case 'FLOAT':
      return float32Text(v);
    case 'DOUBLE':
      return float64Text(v);
    case 'FIXED_LEN_BYTE_ARRAY':
    case 'BYTE_ARRAY':
      if (typeof v === 'string') return JSON.stringify(v);
      if (lt?.type === 'FLOAT16') return float32Text(v);
      return hexText(v);
    default:
      throw new Error(`unexpected type ${e.type}`);
  }
}

/** hyparquet's nested value to canonical JSON, following the schema's list/struct shapes. */
function hyValue(v, node) {
  const e = node.element;
  if (v === null || v === undefined) return 'null';
  if (node.children.length === 0) {
    if (e.repetition_type === 'REPEATED') return `[${v.map((x) => hyLeaf(x, e)).join(',')}]`;
    return hyLeaf(v, e);
  }
  const isList = e.converted_type === 'LIST' || e.logical_type?.type === 'LIST';
  if (isList && Array.isArray(v)) {
    const rep = node.children[0];
    const three = rep.children.length === 1 && rep.element.name !== 'array' && rep.element.name !== `${e.name}_tuple`;
    const elem = three ? rep.children[0] : { ...rep, element: { ...rep.element, repetition_type: 'REQUIRED' } };
    return `[${v.map((x) => hyValue(x, elem)).join(',')}]`;
  }
  if (e.repetition_type === 'REPEATED' && Array.isArray(v)) {
    const elem = { ...node, element: { ...e, repetition_type: 'REQUIRED' } };
    return `[${v.map((x) => hyValue(x, elem)).join(',')}]`;
  }
  return `{${node.children.map((c) => `${JSON.stringify(c.element.name)}:${hyValue(v[c.element.name], c)}`).join(',')}}`;
}

/** Compare floe with hyparquet on the top-level columns hyparquet reads exactly. */
async function compareHyparquet(file, label) {
  const buf = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buf);
  const root = parquetSchema(metadata);
  const cols = root.children.filter(hyExact);
  if (cols.length === 0 || Number(metadata.num_rows) === 0) return 0;
  const names = cols.map((c) => c.element.name);
  const rows = await parquetReadObjects({ file: buf, metadata, columns: names, compressors, utf8: false, parsers: hyParsers });
  const want = rows.map((r) => `{${cols.map((c) => `${JSON.stringify(c.element.name)}:${hyValue(r[c.element.name], c)}`).join(',')}}`);
  assertSameRows(floeRows(file, ['--columns', names.join(',')]), want, `${label} (hyparquet)`);
  return cols.length;
}

// ---- Shared fixtures ----

const FIXTURE_DIR = path.join(SHARED_FIXTURES, 'parquet');
const fixtures = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.parquet'));

test('every shared Parquet fixture reads as DuckDB reads it', async (t) => {
  const conn = await duckdb(t);
  const dir = tempDir(t);
  assert.ok(fixtures.length >= 17, 'the fixtures are present');
  for (const f of fixtures) {
    const file = copyFixture(path.join('parquet', f), dir);
    if (f.startsWith('byte_stream_split_extended')) {
      continue; // DuckDB reads only its float columns: checked below
    }
    assertSameRows(floeRows(file), await duckFileRows(conn, file), f);
  }
});

test('every shared Parquet fixture hyparquet reads exactly agrees with floe', async (t) => {
  const dir = tempDir(t);
  let compared = 0;
  for (const f of fixtures) {
    compared += await compareHyparquet(copyFixture(path.join('parquet', f), dir), f);
  }
  assert.ok(compared > 40, `compared ${compared} columns`);
});

test('byte_stream_split_extended: every split column equals its PLAIN twin', async (t) => {
  const conn = await duckdb(t);
  const file = copyFixture('parquet/byte_stream_split_extended.gzip.parquet', tempDir(t));
  const rows = floeRows(file).map((l) => JSON.parse(l));
  assert.equal(rows.length, 200);
  const kinds = ['float16', 'float', 'double', 'int32', 'int64', 'flba5', 'decimal'];
  for (const k of kinds) {
    for (const r of rows) {
      assert.deepEqual(r[`${k}_byte_stream_split`], r[`${k}_plain`], `${k} twins differ`);
    }
    assert.ok(rows.some((r) => r[`${k}_plain`] !== null), `${k} has values`);
  }
  // The PLAIN columns and the float ones DuckDB decodes itself agree with DuckDB.
  const cols = ['float16_plain', 'float_plain', 'float_byte_stream_split', 'double_plain', 'double_byte_stream_split',
    'int32_plain', 'int64_plain', 'flba5_plain', 'decimal_plain'];
  assertSameRows(floeRows(file, ['--columns', cols.join(',')]), await duckFileRows(conn, file, cols.join(',')), 'bss');
});

test('malformed files fail with a message naming the problem, never a crash', async (t) => {
  const dir = tempDir(t);
  const cases = {
    'PARQUET-1481.parquet': /footer: .*unknown physical type -7/,
    'ARROW-RS-GH-6229-DICTHEADER.parquet': /row group 0, column 'name'/,
    'ARROW-GH-45185.parquet': /starts with repetition level 1, not 0/,
  };
  for (const [f, re] of Object.entries(cases)) {
    const file = copyFixture(path.join('parquet/bad_data', f), dir);
    const r = floe(['parquet', 'cat', file]);
    assert.equal(r.status, 1, `${f}: exit status ${r.status} (${r.stderr})`);
    assert.match(r.stderr, new RegExp(`^floe: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), f);
    assert.match(r.stderr, re, f);
  }
  // The footer of the dictionary-header file is fine: meta reads it; its first page header
  // stores num_values with the wrong Thrift type.
  const dict = path.join(dir, 'ARROW-RS-GH-6229-DICTHEADER.parquet');
  const meta = floe(['parquet', 'meta', dict]);
  assert.equal(meta.status, 0);
  assert.equal(JSON.parse(meta.stdout).num_rows, 25);
  const first = floe(['parquet', 'cat', dict, '--columns', 'nation_key']);
  assert.equal(first.status, 1);
  assert.match(first.stderr, /page at offset 4: page header: DataPageHeader has no num_values/);
});

// ---- Files DuckDB writes ----

const N = 5000;
const ALL_TYPES = `
SELECT
  i::INTEGER AS id,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
  CASE WHEN i % 7 = 1 THEN NULL ELSE (i % 256 - 128)::TINYINT END AS ti,
  ((i * 37) % 65536 - 32768)::SMALLINT AS si,
  CASE WHEN i % 11 = 2 THEN NULL WHEN i = 3 THEN -2147483648 WHEN i = 4 THEN 2147483647
       ELSE ((i * 2654435761) % 4294967296 - 2147483648)::INTEGER END AS i32,
  CASE WHEN i = 3 THEN -9223372036854775808 WHEN i = 4 THEN 9223372036854775807 WHEN i % 13 = 0 THEN NULL
       ELSE ((hash(i) >> 1)::BIGINT * (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END)) END AS i64,
  (i % 256)::UTINYINT AS u8,
  (i * 13 % 65536)::USMALLINT AS u16,
  CASE WHEN i = 5 THEN 4294967295 ELSE (hash(i) % 4294967296)::UINTEGER END AS u32,
  CASE WHEN i = 5 THEN 18446744073709551615 WHEN i % 17 = 0 THEN NULL ELSE hash(i) END::UBIGINT AS u64,
  CASE i % 12 WHEN 0 THEN 'NaN'::FLOAT WHEN 1 THEN 'inf'::FLOAT WHEN 2 THEN '-inf'::FLOAT
       WHEN 3 THEN '-0'::FLOAT WHEN 4 THEN NULL WHEN 5 THEN 1e-40::FLOAT WHEN 6 THEN 3.4e38::FLOAT
       ELSE (i / 7.0)::FLOAT END AS f32,
  CASE i % 14 WHEN 0 THEN 'NaN'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE
       WHEN 3 THEN '-0'::DOUBLE WHEN 4 THEN NULL WHEN 5 THEN 5e-324 WHEN 6 THEN 1e21 WHEN 7 THEN 1e-7
       WHEN 8 THEN 123456789012345680000.0::DOUBLE WHEN 9 THEN 1.7976931348623157e308
       ELSE i / 3.0 END AS f64,
  CASE WHEN i % 9 = 0 THEN NULL ELSE ((i % 19999 - 9999)::DECIMAL(18,0) / 100)::DECIMAL(4,2) END AS d4_2,
  (((hash(i) % 1000000000000000000)::DECIMAL(18,0) / 1000) * (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END))::DECIMAL(18,3) AS d18_3,
  CASE WHEN i = 6 THEN '9999999999999999999999999999.9999999999'::DECIMAL(38,10)
       WHEN i = 7 THEN '-9999999999999999999999999999.9999999999'::DECIMAL(38,10)
       WHEN i % 10 = 0 THEN NULL
       ELSE (((hash(i) % 1000000000000000000)::DECIMAL(38,0) * (hash(i + 1) % 100000000000000000)::DECIMAL(38,0)
              * (CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END)) / 10000000000)::DECIMAL(38,10) END AS d38_10,
  CASE WHEN i = 8 THEN DATE '0001-01-01' WHEN i = 9 THEN DATE '9999-12-31' WHEN i % 8 = 0 THEN NULL
       ELSE DATE '1970-01-01' + ((i * 97) % 200000 - 100000)::INTEGER END AS dt,
  CASE WHEN i = 10 THEN TIME '23:59:59.999999' WHEN i % 6 = 0 THEN NULL
       ELSE TIME '00:00:00' + to_microseconds((i * 1234567891) % 86400000000) END AS tm,
  CASE WHEN i % 7 = 0 THEN NULL ELSE make_timestamp((hash(i) % 100000000000000000)::BIGINT - 50000000000000000) END AS ts,
  CASE WHEN i % 7 = 1 THEN NULL ELSE make_timestamp((hash(i + 3) % 4000000000000000)::BIGINT)::TIMESTAMPTZ END AS tstz,
  CASE WHEN i % 7 = 2 THEN NULL ELSE make_timestamp_ns((hash(i) % 4000000000000000000)::BIGINT - 2000000000000000000) END AS tsns,
  CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'héllo wörld ✓ 🐇 ' || i
       WHEN 3 THEN 'quote " backslash \\ tab' || chr(9) || 'nl' || chr(10) || i WHEN 4 THEN chr(1) || 'ctl' || chr(31)
       ELSE 'str' || (i % 100) END AS s,
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN ''::BLOB ELSE '\\x00\\xFF\\x7F'::BLOB || encode(i::VARCHAR) END AS bl,
  CASE WHEN i % 6 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS u,
  CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN []::INTEGER[] WHEN 2 THEN [NULL]::INTEGER[]
       ELSE list_transform(range(i % 5), x -> CASE WHEN x = 2 THEN NULL ELSE (x * i)::INTEGER END) END AS li,
  CASE WHEN i % 10 = 0 THEN NULL ELSE ['a' || i, NULL, 'ü'] END AS ls,
  CASE WHEN i % 8 = 0 THEN NULL
       ELSE {'a': CASE WHEN i % 3 = 0 THEN NULL ELSE i END, 'b': 'v' || i, 'c': [i, i + 1]} END AS st,
  CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN MAP([]::VARCHAR[], []::INTEGER[])
       ELSE MAP(['k' || i, 'z'], [i::INTEGER, NULL]) END AS m,
  CASE WHEN i % 4 = 0 THEN NULL ELSE [{'x': i, 'y': [1, NULL]}, NULL, {'x': NULL, 'y': NULL}] END AS l_st,
  {'p': CASE WHEN i % 3 = 0 THEN NULL ELSE [MAP(['q'], [i])] END, 'r': {'s': CASE WHEN i % 2 = 0 THEN NULL ELSE i END}} AS st_nested,
  CASE WHEN i % 3 = 0 THEN NULL ELSE MAP([i::INTEGER], [[i, NULL, i]]) END AS m_list,
  CASE WHEN i % 5 = 0 THEN NULL ELSE [[1, 2], [], NULL, [NULL]] END AS ll,
  [MAP(['x'], [{'y': i}]), NULL] AS l_map
FROM range(${N}) r(i)`;

const CODECS = ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4', 'lz4_raw', 'brotli'];

test('files DuckDB writes with every type and codec read as DuckDB reads them', async (t) => {
  const conn = await duckdb(t);
  const dir = tempDir(t);
  await conn.run(`CREATE TABLE t AS ${ALL_TYPES}`);
  const want = await duckRows(conn, 'SELECT * FROM t ORDER BY id');
  assert.equal(want.length, N);
  const variants = CODECS.map((c) => [c, `COMPRESSION ${c}`]);
  variants.push(['zstd-v2', 'COMPRESSION zstd, PARQUET_VERSION V2']);
  variants.push(['snappy-v2', 'COMPRESSION snappy, PARQUET_VERSION V2']);
  for (const [name, opts] of variants) {
    const file = path.join(dir, `all_${name}.parquet`);
    await conn.run(`COPY (SELECT * FROM t ORDER BY id) TO ${sqlPath(file)} (FORMAT parquet, ${opts}, ROW_GROUP_SIZE 2048)`);
    const meta = JSON.parse(floe(['parquet', 'meta', file]).stdout);
    assert.ok(meta.row_groups.length >= 2, `${name}: several row groups`);
    const got = floeRows(file);
    assertSameRows(got, want, name);
    // DuckDB's own reading of the file, too (it should equal the table).
    assertSameRows(got, await duckFileRows(conn, file), `${name} (DuckDB reading the file)`);
  }
});

test('DuckDB types stored through conversions read as DuckDB reads them', async (t) => {
  // INTERVAL (FIXED[12]), HUGEINT/UHUGEINT (DOUBLE), ENUM, BIT and VARINT (strings), JSON,
  // TIMETZ (TIME adjusted to UTC), TIMESTAMP_S/_MS, fixed-size ARRAY (a list).
  const conn = await duckdb(t);
  const dir = tempDir(t);
  await conn.run(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
  const file = path.join(dir, 'more.parquet');
  await conn.run(`COPY (SELECT
      CASE WHEN i % 4 = 0 THEN NULL ELSE INTERVAL (i) DAY + INTERVAL (i * 3) MONTH + INTERVAL (i * 1001) MILLISECOND END AS iv,
      (i * 170141183460469231731687303715884105::HUGEINT) AS hi,
      (i * 1000000000000000000000::UHUGEINT) AS uh,
      (['sad', 'ok', 'happy'][i % 3 + 1])::mood AS en,
      ('01:02:03+05')::TIMETZ + INTERVAL (i) MINUTE AS ttz,
      (TIMESTAMP '2020-01-01 00:00:00' + INTERVAL (i) SECOND)::TIMESTAMP_S AS tss,
      (TIMESTAMP '2020-01-01 00:00:00.123' + INTERVAL (i) SECOND)::TIMESTAMP_MS AS tsm,
      [i, NULL, i + 2]::INTEGER[3] AS arr,
      ('1011' || (i % 2)::VARCHAR)::BIT AS bt,
      ('{"a": ' || i || '}')::JSON AS js,
      (i * 12345678901234567890123)::VARINT AS vi
    FROM range(50) r(i)) TO ${sqlPath(file)} (FORMAT parquet)`);
  assertSameRows(floeRows(file), await duckFileRows(conn, file), 'more types');
});

test('hyparquet agrees with floe on DuckDB-written files', async (t) => {
  const conn = await duckdb(t);
  const dir = tempDir(t);
  await conn.run(`CREATE TABLE t AS ${ALL_TYPES}`);
  for (const [name, opts] of [['zstd', 'COMPRESSION zstd'], ['v2', 'COMPRESSION snappy, PARQUET_VERSION V2']]) {
    const file = path.join(dir, `hy_${name}.parquet`);
    await conn.run(`COPY (SELECT * FROM t ORDER BY id) TO ${sqlPath(file)} (FORMAT parquet, ${opts}, ROW_GROUP_SIZE 2048)`);
    assert.ok((await compareHyparquet(file, name)) >= 10);
  }
});

test('many row groups, projections and --limit', async (t) => {
  const conn = await duckdb(t);
  const dir = tempDir(t);
  const file = path.join(dir, 'many.parquet');
  await conn.run(`COPY (SELECT i AS a, i * 2 AS b, 'x' || i AS c, [i, i] AS l FROM range(60000) r(i))
                  TO ${sqlPath(file)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
  const meta = JSON.parse(floe(['parquet', 'meta', file]).stdout);
  assert.ok(meta.row_groups.length >= 20, `${meta.row_groups.length} row groups`);
  assertSameRows(floeRows(file), await duckFileRows(conn, file), 'many');
  assertSameRows(floeRows(file, ['--columns', 'l,a']), await duckFileRows(conn, file, 'l, a'), 'projection');
  const first = floeRows(file, ['--limit', '3000']);
  assert.equal(first.length, 3000);
  assert.equal(first[2999], '{"a":2999,"b":5998,"c":"x2999","l":[2999,2999]}');
});

test('empty files (0 rows) print nothing', async (t) => {
  const conn = await duckdb(t);
  const dir = tempDir(t);
  const file = path.join(dir, 'empty.parquet');
  await conn.run(`COPY (SELECT * FROM (${ALL_TYPES}) WHERE false) TO ${sqlPath(file)} (FORMAT parquet)`);
  assert.deepEqual(floeRows(file), []);
  const meta = JSON.parse(floe(['parquet', 'meta', file]).stdout);
  assert.equal(meta.num_rows, 0);
  const schema = floe(['parquet', 'schema', file]);
  assert.equal(schema.status, 0);
  assert.match(schema.stdout, /optional group m \(MAP\)/);
});
