// SPDX-License-Identifier: Apache-2.0
// Files written by floe's Parquet writer (through the test-only gen_parquet program) read back by
// two independent readers, DuckDB and hyparquet, and compared value by value with the rows
// gen_parquet wrote (its canonical JSON lines). Covers every physical and logical type, nested
// structs/lists/maps with nulls at every level, every codec, data page v1 and v2, dictionary and
// PLAIN, many row groups and pages, zero rows, and the footer (field ids, codecs, statistics)
// through DuckDB's parquet_schema()/parquet_metadata() and hyparquet's metadata reader.
//
// Known reader limitation worked around: hyparquet turns DECIMAL into JS numbers, so decimals
// are compared exactly with DuckDB and to double precision with hyparquet. DuckDB reads
// TIMESTAMP(NANOS, UTC) and INT96 at microsecond precision, so gen_parquet writes whole
// microseconds in those two columns.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { duckdb, floe, GEN_PARQUET, query, tempDir } from './lib.mjs';

/** Run gen_parquet; returns { file, expect: [parsed rows], info }. */
function gen(dir, kase, name, args = []) {
  const file = path.join(dir, `${name}.parquet`);
  const expectFile = path.join(dir, `${name}.jsonl`);
  const r = spawnSync(GEN_PARQUET, [kase, file, '--expect', expectFile, ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `gen_parquet ${kase} ${args.join(' ')}: ${r.stderr}`);
  const lines = readFileSync(expectFile, 'utf8').split('\n').filter((l) => l.length > 0);
  return { file, expect: lines.map(parseLossless), info: JSON.parse(r.stdout) };
}

// ---- Lossless JSON: numbers stay as their source text ({ num: '...' }) ----

function parseLossless(text) {
  let i = 0;
  const ws = () => { while (' \t\n\r'.includes(text[i])) i++; };
  function value() {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = {};
      const keys = [];
      ws();
      if (text[i] === '}') { i++; return { obj, keys }; }
      for (;;) {
        ws();
        const k = string();
        ws();
        assert.equal(text[i++], ':');
        obj[k] = value();
        keys.push(k);
        ws();
        if (text[i] === ',') { i++; continue; }
        assert.equal(text[i++], '}');
        return { obj, keys };
      }
    }
    if (c === '[') {
      i++;
      const arr = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        assert.equal(text[i++], ']');
        return arr;
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    assert.ok(m, `bad JSON at ${i}: ${text.slice(i, i + 20)}`);
    i += m[0].length;
    return { num: m[0] };
  }
  function string() {
    const start = i;
    assert.equal(text[i++], '"');
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  }
  const v = value();
  return v;
}

// ---- Canonical forms of reader values ----

/**
 * floe's canonical number text: the shortest decimal that round-trips (as float32 for FLOAT; the
 * closest one, ties to an even last digit, as ECMAScript does for doubles), in ES layout, -0 kept.
 */
function canonFloat(x, isFloat) {
  if (Object.is(x, -0)) return '-0';
  if (!isFloat || x === 0) return String(x);
  const ax = Math.abs(x);
  const [mant, expPart] = ax.toExponential(99).split('e');
  const digits = mant.replace('.', '');
  const e10 = Number(expPart);
  for (let p = 1; p <= 9; p++) {
    const head = digits.slice(0, p);
    const up = (BigInt(head) + 1n).toString();
    const down = Number(`${head[0]}.${head.slice(1) || '0'}e${e10}`);
    const upv = up.length > p ? Number(`1e${e10 + 1}`) : Number(`${up[0]}.${up.slice(1) || '0'}e${e10}`);
    const okDown = Math.fround(down) === ax;
    const okUp = Math.fround(upv) === ax;
    if (!okDown && !okUp) continue;
    let pick = okDown ? down : upv;
    if (okDown && okUp) {
      const rest = digits.slice(p).replace(/0+$/, '');
      if (rest === '5') pick = BigInt(head) % 2n === 0n ? down : upv;
      else pick = rest > '5' ? upv : down;
    }
    return String(x < 0 ? -pick : pick);
  }
  return String(x);
}

const hex = (u8) => Buffer.from(u8).toString('hex');
const pad = (s, n) => s.padEnd(n, '0');

/** Digits a floe time/timestamp of this unit prints. */
const fracDigits = (unit) => (unit === 'nanos' ? 9 : 6);

/** "HH:MM:SS.ffffff" from a count of `unit`s since midnight. */
function timeFromCount(v, unit) {
  const per = { millis: 1000n, micros: 1000000n, nanos: 1000000000n }[unit];
  const n = BigInt(v);
  const secs = n / per;
  const frac = String((n % per) * (10n ** BigInt(fracDigits(unit))) / per);
  const hh = String(secs / 3600n).padStart(2, '0');
  const mm = String((secs / 60n) % 60n).padStart(2, '0');
  const ss = String(secs % 60n).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${frac.padStart(fracDigits(unit), '0')}`;
}

/** "YYYY-MM-DDTHH:MM:SS.f" from nanoseconds since the epoch (BigInt). */
function timestampFromNanos(ns, digits, utc) {
  const day = 86400000000000n;
  let days = ns / day;
  if (ns % day < 0n) days -= 1n;
  const rest = ns - days * day;
  const date = new Date(Number(days) * 86400000).toISOString().slice(0, 10);
  const t = timeFromCount(rest, 'nanos').slice(0, 9 + (digits ? digits : -1));
  return `${date}T${t}${utc ? '+00:00' : ''}`;
}

/** DuckDB's "YYYY-MM-DD HH:MM:SS[.f][+00]" in floe's layout. */
function duckTimestamp(s, digits, utc) {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?(\+00)?$/.exec(s);
  assert.ok(m, `unexpected DuckDB timestamp ${s}`);
  return `${m[1]}T${m[2]}.${pad(m[3] ?? '', digits)}${utc ? '+00:00' : ''}`;
}

function duckTime(s, digits) {
  const m = /^(\d\d:\d\d:\d\d)(?:\.(\d+))?(\+00)?$/.exec(s);
  assert.ok(m, `unexpected DuckDB time ${s}`);
  return `${m[1]}.${pad(m[2] ?? '', digits)}`;
}

const decoder = new TextDecoder();

/**
 * Compare an expected (lossless JSON) value with what `reader` ('duckdb' or 'hyparquet') returned
 * for a field of type `t` (gen_parquet's description). Throws with the path on a difference.
 */
function same(exp, got, t, reader, where) {
  const msg = (extra = '') => `${where}: expected ${JSON.stringify(exp)} got ${String(got)}${extra}`;
  if (exp === null) {
    assert.ok(got === null || got === undefined, msg());
    return;
  }
  assert.ok(got !== null && got !== undefined, msg());
  switch (t.kind) {
    case 'boolean':
      assert.equal(got, exp, msg());
      return;
    case 'int32': case 'int64': case 'int':
      assert.equal(String(got), exp.num, msg());
      return;
    case 'float': case 'double': {
      if (typeof exp === 'string') { // NaN, Infinity, -Infinity
        const g = typeof got === 'string' ? Number(got) : got;
        assert.ok(Object.is(g, Number(exp)) || (Number.isNaN(g) && exp === 'NaN'), msg());
        return;
      }
      const g = typeof got === 'string' ? Number(got) : got;
      assert.equal(canonFloat(g, t.kind === 'float'), exp.num, msg());
      return;
    }
    case 'decimal':
      if (reader === 'duckdb') {
        assert.equal(got, exp, msg());
      } else {
        const e = Number(exp);
        assert.ok(Math.abs(e - got) <= Math.abs(e) * 1e-12 + 1e-9, msg(' (as double)'));
      }
      return;
    case 'string': case 'json':
      assert.equal(got, exp, msg());
      return;
    case 'enum':
      assert.equal(got instanceof Uint8Array ? decoder.decode(got) : got, exp, msg());
      return;
    case 'binary': case 'fixed':
      assert.equal(got instanceof Uint8Array ? hex(got) : got, exp, msg());
      return;
    case 'uuid': {
      const g = reader === 'duckdb' ? got
        : `${got.slice(0, 8)}-${got.slice(8, 12)}-${got.slice(12, 16)}-${got.slice(16, 20)}-${got.slice(20)}`;
      assert.equal(g, exp, msg());
      return;
    }
    case 'date':
      if (reader === 'duckdb') assert.equal(got, exp, msg());
      else assert.equal(new Date(got.days * 86400000).toISOString().slice(0, 10), exp, msg());
      return;
    case 'time':
      if (reader === 'duckdb') assert.equal(duckTime(got, fracDigits(t.unit)), exp, msg());
      else assert.equal(timeFromCount(got, t.unit), exp, msg());
      return;
    case 'timestamp': case 'int96': {
      const unit = t.kind === 'int96' ? 'nanos' : t.unit;
      const utc = t.kind === 'int96' ? false : t.utc;
      if (reader === 'duckdb') {
        assert.equal(duckTimestamp(got, fracDigits(unit), utc), exp, msg());
      } else {
        const ns = got.ns ?? (got.us !== undefined ? got.us * 1000n : got.ms * 1000000n);
        assert.equal(timestampFromNanos(ns, fracDigits(unit), utc), exp, msg());
      }
      return;
    }
    case 'list':
      assert.ok(Array.isArray(got), msg());
      assert.equal(got.length, exp.length, msg(' (length)'));
      exp.forEach((e, i) => same(e, got[i], t.element, reader, `${where}[${i}]`));
      return;
    case 'struct':
      assert.deepEqual(exp.keys, t.fields.map((f) => f.name), `${where}: field order`);
      for (const f of t.fields) same(exp.obj[f.name], got[f.name], f, reader, `${where}.${f.name}`);
      return;
    case 'map': {
      // DuckDB: [{key, value}] in file order; hyparquet: an object keyed by the (string) key.
      const entries = reader === 'duckdb' ? got : Object.entries(got).map(([key, value]) => ({ key, value }));
      assert.equal(entries.length, exp.length, msg(' (entries)'));
      exp.forEach((e, i) => {
        same(e.obj.key, entries[i].key, t.key, reader, `${where}{${i}}.key`);
        same(e.obj.value, entries[i].value, t.value, reader, `${where}{${i}}.value`);
      });
      return;
    }
    default:
      throw new Error(`unknown kind ${t.kind}`);
  }
}

// ---- Reading with each reader ----

async function readDuck(conn, file, fields) {
  // Binary columns as hex (DuckDB's JSON form of BLOB escapes bytes).
  const cols = fields.map((f) => (f.kind === 'binary' || f.kind === 'fixed'
    ? `lower(hex("${f.name}")) AS "${f.name}"` : `"${f.name}"`));
  return query(conn, `SELECT ${cols.join(', ')} FROM read_parquet('${file}')`);
}

const hyparsers = {
  timestampFromMilliseconds: (v) => ({ ms: BigInt(v) }),
  timestampFromMicroseconds: (v) => ({ us: BigInt(v) }),
  timestampFromNanoseconds: (v) => ({ ns: BigInt(v) }),
  dateFromDays: (d) => ({ days: d }),
  stringFromBytes: (b) => b && decoder.decode(b),
  jsonFromBytes: (b) => b && decoder.decode(b),
  uuidFromBytes: (b) => b && hex(b),
};

async function readHy(file) {
  return parquetReadObjects({ file: await asyncBufferFromFile(file), compressors, parsers: hyparsers, utf8: false });
}

function compareRows(expect, rows, fields, reader) {
  assert.equal(rows.length, expect.length, `${reader}: row count`);
  expect.forEach((e, r) => {
    for (const f of fields) same(e.obj[f.name], rows[r][f.name], f, reader, `${reader} row ${r} ${f.name}`);
  });
}

async function checkBoth(conn, g) {
  const { fields } = g.info;
  compareRows(g.expect, await readDuck(conn, g.file, fields), fields, 'duckdb');
  compareRows(g.expect, await readHy(g.file), fields, 'hyparquet');
}

/** Field ids from DuckDB's parquet_schema(), by name path order. */
function flattenIds(fields, out = []) {
  for (const f of fields) {
    out.push([f.name, f.id]);
    if (f.kind === 'struct') flattenIds(f.fields, out);
    if (f.kind === 'list') flattenIds([f.element], out);
    if (f.kind === 'map') flattenIds([f.key, f.value], out);
  }
  return out;
}

// ---- Tests ----

test('every physical and logical type reads back exactly', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  await query(conn, "SET TimeZone='UTC'");
  const g = gen(dir, 'types', 'types', ['--rows', '600', '--row-group-size', '64k', '--page-size', '4k']);
  assert.ok(g.info.row_groups > 1);
  await checkBoth(conn, g);

  // Footer: field ids and annotations as DuckDB sees them.
  const schema = await query(conn, `SELECT name, field_id, converted_type, logical_type, type_length
                                    FROM parquet_schema('${g.file}')`);
  const byName = Object.fromEntries(schema.map((r) => [r.name, r]));
  for (const [name, id] of flattenIds(g.info.fields)) assert.equal(Number(byName[name].field_id), id, name);
  assert.equal(byName.str.converted_type, 'UTF8');
  assert.equal(byName.d32.converted_type, 'DECIMAL');
  assert.equal(byName.tsus.converted_type, 'TIMESTAMP_MICROS');
  assert.equal(byName.tsns.converted_type, null); // NANOS has no converted type
  assert.equal(byName.uid.converted_type, null);
  assert.match(byName.uid.logical_type, /UUID/);
  assert.equal(byName.u32.converted_type, 'UINT_32');
  assert.equal(byName.i8.converted_type, 'INT_8');
  assert.equal(Number(byName.dfx.type_length), 13);

  // Statistics: DuckDB's view of the chunk min/max equals the writer's metrics and the data.
  const stats = await query(conn, `SELECT path_in_schema p, stats_min_value mn, stats_max_value mx,
                                          stats_null_count nc
                                   FROM parquet_metadata('${g.file}') WHERE row_group_id = 0`);
  const st = Object.fromEntries(stats.map((r) => [r.p, r]));
  assert.equal(st.i64.mn, '-9223372036854775808');
  assert.equal(st.i64.mx, '9223372036854775807');
  assert.equal(st.u64.mn, '0');
  assert.equal(st.u64.mx, '18446744073709551615'); // unsigned order
  assert.equal(st.u32.mx, '4294967295');
  assert.equal(st.dfx.mn, '-9999999999999999999999999.99999'); // signed order on FIXED
  assert.equal(st.dba.mx, '99999999999999999999999999999999.999999'); // signed, variable length
  assert.equal(st.str.mn, '');
  assert.equal(st.str.mx, '😀 emoji'); // unsigned bytes: U+1F600 sorts last
  assert.equal(st.i96.mn, null); // INT96 has no order
  const nulls = await query(conn, `SELECT path_in_schema p, sum(stats_null_count)::BIGINT n
                                   FROM parquet_metadata('${g.file}') GROUP BY p`);
  const metrics = Object.fromEntries(g.info.metrics.map((m) => [m.leaf, m]));
  for (const r of nulls) assert.equal(Number(r.n), metrics[r.p].nulls, r.p);
  const expectNulls = g.expect.filter((e) => e.obj.str === null).length;
  assert.equal(metrics.str.nulls, expectNulls);
  // Iceberg metrics from the writer: logical bounds, NaN counts.
  assert.equal(metrics.i32.lower, -2147483648);
  assert.equal(metrics.str.lower, '');
  assert.equal(metrics.str.upper, '😀 emoji');
  assert.equal(metrics.dfx.lower, '-9999999999999999999999999.99999');
  assert.equal(metrics.dt.upper, '9999-12-31');
  assert.equal(metrics.tsusz.lower, '1900-01-01T00:00:00.000000+00:00');
  assert.equal(metrics.i96.lower, undefined);
  assert.equal(metrics.f32.nans, g.expect.filter((e) => e.obj.f32 === 'NaN').length);
  assert.equal(metrics.i32.nans, -1);

  // hyparquet agrees on the footer basics.
  const md = await parquetMetadataAsync(await asyncBufferFromFile(g.file));
  assert.equal(Number(md.num_rows), 600);
  assert.match(md.created_by, /^floe version /);
  assert.equal(md.row_groups.length, g.info.row_groups);
  assert.deepEqual(md.row_groups.map((rg) => Number(rg.file_offset)), g.info.split_offsets);
});

test('nested structs, lists and maps with nulls at every level', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  for (const [name, args] of [
    ['v1', ['--rows', '1500', '--page-size', '1k', '--row-group-size', '32k']],
    ['v2', ['--rows', '1500', '--page-size', '1k', '--row-group-size', '32k', '--v2', '--no-dict']],
  ]) {
    const g = gen(dir, 'nested', name, args);
    await checkBoth(conn, g);
    const schema = await query(conn, `SELECT name, field_id FROM parquet_schema('${g.file}')`);
    const ids = schema.filter((r) => r.field_id !== null).map((r) => Number(r.field_id));
    assert.deepEqual(ids, Array.from({ length: 21 }, (_, i) => i + 1), name);
  }
});

test('every codec, page version and encoding', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  const codecs = ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli'];
  let n = 0;
  for (const codec of codecs) {
    for (const v2 of [false, true]) {
      const noDict = (n++ % 2) === 1;
      const args = ['--rows', '3000', '--codec', codec, '--page-size', '2k', '--row-group-size', '24k',
        '--batch', '700', ...(v2 ? ['--v2'] : []), ...(noDict ? ['--no-dict'] : [])];
      const name = `${codec}-${v2 ? 'v2' : 'v1'}-${noDict ? 'plain' : 'dict'}`;
      const g = gen(dir, 'many', name, args);
      assert.ok(g.info.row_groups >= 2, name);
      await checkBoth(conn, g);
      const meta = await query(conn, `SELECT DISTINCT compression, encodings FROM parquet_metadata('${g.file}')
                                      WHERE path_in_schema = 'cat'`);
      assert.deepEqual([...new Set(meta.map((m) => m.compression))], [codec.toUpperCase()], name);
      assert.equal(meta.some((m) => m.encodings.includes('RLE_DICTIONARY')), !noDict, name);
    }
  }
  // The deprecated LZ4 with Hadoop framing: hyparquet reads it; DuckDB does not support it.
  const g = gen(dir, 'many', 'lz4-hadoop', ['--rows', '2000', '--codec', 'lz4', '--page-size', '2k']);
  compareRows(g.expect, await readHy(g.file), g.info.fields, 'hyparquet');
  await assert.rejects(query(conn, `SELECT max(payload) FROM read_parquet('${g.file}')`), /LZ4/);
});

test('dictionary fallback mixes dictionary and PLAIN pages in one chunk', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  // payload strings are unique: the 2 KiB dictionary fills and the chunk falls back to PLAIN.
  const g = gen(dir, 'many', 'fallback', ['--rows', '4000', '--dict-limit', '2k', '--page-size', '1k',
    '--row-group-size', '1m']);
  await checkBoth(conn, g);
  const md = await parquetMetadataAsync(await asyncBufferFromFile(g.file));
  const payload = md.row_groups[0].columns[5].meta_data;
  const kinds = payload.encoding_stats.map((e) => `${e.page_type}/${e.encoding}`).sort();
  assert.deepEqual(kinds, ['DATA_PAGE/PLAIN', 'DATA_PAGE/RLE_DICTIONARY', 'DICTIONARY_PAGE/PLAIN']);
  const cat = md.row_groups[0].columns[2].meta_data;
  assert.deepEqual(cat.encoding_stats.map((e) => e.encoding).sort(), ['PLAIN', 'RLE_DICTIONARY']);
});

test('page index, page statistics and no statistics', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  const a = gen(dir, 'many', 'pidx', ['--rows', '5000', '--page-size', '512', '--page-stats']);
  await checkBoth(conn, a);
  // DuckDB prunes pages with the page index; the filtered result must still be right.
  const rows = await query(conn, `SELECT count(*)::INT n FROM read_parquet('${a.file}') WHERE id BETWEEN 1001000 AND 1001099`);
  assert.equal(rows[0].n, 100);
  const md = await parquetMetadataAsync(await asyncBufferFromFile(a.file));
  assert.ok(md.row_groups[0].columns.every((c) => c.offset_index_offset > 0n && c.column_index_offset > 0n));
  const b = gen(dir, 'many', 'nostats', ['--rows', '500', '--no-stats', '--no-page-index']);
  await checkBoth(conn, b);
  const mb = await parquetMetadataAsync(await asyncBufferFromFile(b.file));
  assert.equal(mb.row_groups[0].columns[0].meta_data.statistics, undefined);
  assert.equal(mb.row_groups[0].columns[0].offset_index_offset, undefined);
});

test('a file with no rows', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  const g = gen(dir, 'empty', 'empty');
  assert.equal(g.expect.length, 0);
  const n = await query(conn, `SELECT count(*)::INT n FROM read_parquet('${g.file}')`);
  assert.equal(n[0].n, 0);
  const cols = await query(conn, `DESCRIBE SELECT * FROM read_parquet('${g.file}')`);
  assert.equal(cols.length, g.info.fields.length);
  assert.deepEqual(await readHy(g.file), []);
});

// ---- floe parquet rewrite ----

/** DuckDB writes `n` files of a realistic table (nested types included) with field ids. */
async function duckFiles(conn, dir, n, rowsPer, extra = '') {
  const files = [];
  for (let i = 0; i < n; i++) {
    const f = path.join(dir, `in${i}.parquet`);
    await conn.run(`COPY (
      SELECT (r + ${i * rowsPer})::BIGINT AS id,
             TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (r * 37) SECOND AS ts,
             DATE '2020-01-01' + (r % 1000)::INT AS day,
             CASE WHEN r % 11 = 0 THEN NULL ELSE ['books','music','garden','toys'][1 + r % 4] END AS cat,
             (r * 12.345)::DECIMAL(18,3) AS amount,
             (r % 97)::DOUBLE / 7 AS score,
             r % 3 = 0 AS flag,
             (r % 200)::SMALLINT AS small,
             CASE WHEN r % 5 = 0 THEN NULL ELSE 'payload ' || md5(r::VARCHAR) END AS payload,
             CASE WHEN r % 7 = 0 THEN NULL ELSE [r % 10, r % 3, NULL] END AS tags,
             {'a': r % 13, 'b': CASE WHEN r % 4 = 0 THEN NULL ELSE 'x' || (r % 9) END} AS st,
             CASE WHEN r % 6 = 0 THEN NULL ELSE MAP {'k': r, 'j': r + 1} END AS m,
             md5(r::VARCHAR)::BLOB AS raw
      FROM range(${rowsPer}) t(r)
    ) TO '${f}' (FORMAT parquet, ROW_GROUP_SIZE 4000, FIELD_IDS 'auto' ${extra})`);
    files.push(f);
  }
  return files;
}

async function sameRows(conn, a, b) {
  const list = (fs) => `[${fs.map((f) => `'${f}'`).join(', ')}]`;
  const left = await query(conn, `SELECT * FROM read_parquet(${list(a)})`);
  const right = await query(conn, `SELECT * FROM read_parquet(${list(b)})`);
  assert.equal(right.length, left.length);
  assert.deepEqual(right, left); // same rows in the same order
}

test('floe parquet rewrite of DuckDB files reads back identical', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  await conn.run('SET threads=1');
  const inputs = await duckFiles(conn, dir, 3, 9000);
  const out = path.join(dir, 'out.parquet');
  const r = floe(['parquet', 'rewrite', ...inputs, '-o', out, '--row-group-size', '256k', '--page-size', '16k']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /27000 rows, \d+ row groups?, \d+ bytes from 3 files/);
  await sameRows(conn, inputs, [out]);
  // field ids, codec and statistics survive
  const ids = await query(conn, `SELECT name, field_id FROM parquet_schema('${out}') WHERE field_id IS NOT NULL`);
  const idsIn = await query(conn, `SELECT name, field_id FROM parquet_schema('${inputs[0]}') WHERE field_id IS NOT NULL`);
  assert.deepEqual(ids, idsIn);
  const meta = await query(conn, `SELECT DISTINCT compression FROM parquet_metadata('${out}')`);
  assert.deepEqual(meta.map((m) => m.compression), ['ZSTD']);
  const rgs = await query(conn, `SELECT count(DISTINCT row_group_id)::INT n FROM parquet_metadata('${out}')`);
  assert.ok(rgs[0].n > 1);
  const mm = await query(conn, `SELECT min(stats_min_value::BIGINT)::BIGINT lo, max(stats_max_value::BIGINT)::BIGINT hi
                                FROM parquet_metadata('${out}') WHERE path_in_schema = 'id'`);
  assert.deepEqual([String(mm[0].lo), String(mm[0].hi)], ['0', '26999']);
  // floe's reader agrees with DuckDB's on both sides
  const catIn = inputs.map((f) => floe(['parquet', 'cat', f]).stdout).join('');
  assert.equal(floe(['parquet', 'cat', out]).stdout, catIn);
  // hyparquet reads the result too
  assert.equal((await readHy(out)).length, 27000);
});

test('floe parquet rewrite --stitch copies row groups', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  await conn.run('SET threads=1');
  const inputs = await duckFiles(conn, dir, 2, 6000, ', COMPRESSION snappy');
  const out = path.join(dir, 'stitched.parquet');
  const r = floe(['parquet', 'rewrite', ...inputs, '-o', out, '--stitch']);
  assert.equal(r.status, 0, r.stderr);
  await sameRows(conn, inputs, [out]);
  const n = async (f) => (await query(conn, `SELECT count(DISTINCT row_group_id)::INT n FROM parquet_metadata('${f}')`))[0].n;
  assert.equal(await n(out), (await n(inputs[0])) + (await n(inputs[1])));
  const codecs = await query(conn, `SELECT DISTINCT compression FROM parquet_metadata('${out}')`);
  assert.deepEqual(codecs.map((c) => c.compression), ['SNAPPY']); // pages are copied, not recompressed
  assert.equal((await readHy(out)).length, 12000);
});

test('floe parquet rewrite codecs and errors', async (t) => {
  const dir = tempDir(t);
  const conn = await duckdb(t);
  await conn.run('SET threads=1');
  const inputs = await duckFiles(conn, dir, 1, 3000);
  for (const codec of ['snappy', 'gzip', 'lz4_raw', 'brotli', 'uncompressed']) {
    const out = path.join(dir, `${codec}.parquet`);
    const r = floe(['parquet', 'rewrite', inputs[0], '-o', out, '--codec', codec, '--compression-level', '1']);
    assert.equal(r.status, 0, r.stderr);
    await sameRows(conn, inputs, [out]);
    const c = await query(conn, `SELECT DISTINCT compression FROM parquet_metadata('${out}')`);
    assert.deepEqual(c.map((x) => x.compression), [codec.toUpperCase()]);
  }
  // a file with another schema: a clear error, and no output left behind
  const bad = path.join(dir, 'bad.parquet');
  const other = path.join(dir, 'other.parquet');
  await conn.run(`COPY (SELECT 1::INT AS id) TO '${other}' (FORMAT parquet)`);
  let r = floe(['parquet', 'rewrite', inputs[0], other, '-o', bad]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /other\.parquet: schema differs from .*in0\.parquet: column 'id': field id 0 vs none/);
  await conn.run(`COPY (SELECT 1::INT AS id) TO '${other}' (FORMAT parquet, FIELD_IDS 'auto')`);
  r = floe(['parquet', 'rewrite', inputs[0], other, '-o', bad]);
  assert.match(r.stderr, /column 'id': type INT64 vs INT32/);
  await conn.run(`COPY (SELECT * EXCLUDE (raw) FROM read_parquet('${inputs[0]}'))
                  TO '${other}' (FORMAT parquet, FIELD_IDS 'auto')`);
  r = floe(['parquet', 'rewrite', inputs[0], other, '-o', bad, '--stitch']);
  assert.match(r.stderr, /column 'raw' is only in the first schema/);
  assert.throws(() => readFileSync(bad));
  // usage errors
  assert.equal(floe(['parquet', 'rewrite', inputs[0]]).status, 2);
  assert.equal(floe(['parquet', 'rewrite', inputs[0], '-o', bad, '--codec', 'lzo9']).status, 2);
  assert.equal(floe(['parquet', 'rewrite', inputs[0], '-o', bad, '--stitch', '--codec', 'gzip']).status, 2);
  const missing = floe(['parquet', 'rewrite', path.join(dir, 'nope.parquet'), '-o', bad]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.parquet/);
});
