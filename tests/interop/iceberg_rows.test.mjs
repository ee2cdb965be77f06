// SPDX-License-Identifier: Apache-2.0
// Iceberg data files written by floe's row writer (partitioned by identity(cat), sorted by id
// desc, rolled; through the test-only gen_iceberg_rows program) read by two independent readers,
// DuckDB and hyparquet: every row written comes back, each file holds one partition and is
// sorted, field ids are in the Parquet schema, and the metrics floe reports for the manifests
// (value/null/NaN counts, lower/upper bounds with truncate(16) for strings, split offsets) match
// what the readers compute from the data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { duckdb, query, tempDir } from './lib.mjs';

const GEN = path.join(process.env.FLOE_BUILD_DIR ?? path.resolve('../../build/dev'), 'tests', 'gen_iceberg_rows');

function generate(t) {
  const dir = tempDir(t, 'floe-iceberg-rows-');
  const r = spawnSync(GEN, [dir, '--rows', '4000'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const expect = readFileSync(path.join(dir, 'expect.jsonl'), 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
  return { files: out.files, expect };
}

const sq = (s) => `'${s.replaceAll("'", "''")}'`;
const byId = (a, b) => Number(a.id) - Number(b.id);

/** A plain row from DuckDB, in gen_iceberg_rows's expect.jsonl form. */
const DUCK_COLUMNS = `id::VARCHAR AS id, cat, name, score, price::VARCHAR AS price,
  epoch_us(ts)::VARCHAR AS ts_us, day::VARCHAR AS day, to_json(tags)::VARCHAR AS tags`;

function duckRow(r) {
  return {
    ...r,
    score: r.score === null ? null : (Number.isNaN(Number(r.score)) ? 'NaN' : Number(r.score)),
    tags: r.tags === null ? null : JSON.parse(r.tags),
  };
}

/** The first n code points of s. */
const cps = (s, n) => [...s].slice(0, n).join('');
/** Iceberg truncate(16) upper bound: the 16-code-point prefix with its last code point incremented. */
function truncUpper(s) {
  const p = [...s];
  if (p.length <= 16) return s;
  const head = p.slice(0, 16);
  head[15] = String.fromCodePoint(head[15].codePointAt(0) + 1);
  return head.join('');
}
const bytesCmp = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

test('DuckDB and hyparquet read every row floe wrote, one sorted partition per file', async (t) => {
  const { files, expect } = generate(t);
  const conn = await duckdb(t);
  assert.ok(files.length > 4, `rolled files: ${files.length}`);
  let duckAll = [];
  let hypAll = [];
  for (const f of files) {
    const rows = (await query(conn, `SELECT ${DUCK_COLUMNS} FROM read_parquet(${sq(f.path)})`)).map(duckRow);
    assert.equal(rows.length, f.record_count, f.path);
    for (const r of rows) assert.equal(r.cat, f.partition, `partition of ${f.path}`);
    duckAll = duckAll.concat(rows);
    const h = await parquetReadObjects({ file: await asyncBufferFromFile(f.path), compressors });
    assert.equal(h.length, f.record_count);
    // File order is the sort order: id descending.
    for (let i = 1; i < h.length; i++) assert.ok(h[i - 1].id > h[i].id, `sorted ${f.path}`);
    hypAll = hypAll.concat(h);
    assert.equal(f.sort_order_id, 1);
    assert.equal(f.split_offsets[0], 4);
    // Field ids on every field node.
    const schema = await query(conn, `SELECT name, field_id FROM parquet_schema(${sq(f.path)}) WHERE field_id IS NOT NULL`);
    const ids = Object.fromEntries(schema.map((s) => [s.name, Number(s.field_id)]));
    assert.deepEqual(ids, { id: 1, cat: 2, name: 3, score: 4, price: 5, ts: 6, day: 7, tags: 8, element: 9 });
  }
  duckAll.sort(byId);
  assert.deepEqual(duckAll, [...expect].sort(byId));

  hypAll.sort((a, b) => Number(a.id - b.id));
  assert.equal(hypAll.length, expect.length);
  const sorted = [...expect].sort(byId);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    const h = hypAll[i];
    assert.equal(String(h.id), e.id);
    assert.equal(h.cat ?? null, e.cat);
    assert.equal(h.name ?? null, e.name);
    if (e.score === 'NaN') assert.ok(Number.isNaN(h.score));
    else assert.equal(h.score ?? null, e.score);
    if (e.price === null) assert.equal(h.price ?? null, null);
    else assert.ok(Math.abs(Number(h.price) - Number(e.price)) < 1e-9, `price ${e.price} vs ${h.price}`);
    assert.deepEqual(h.tags ?? null, e.tags);
  }
});

test('metrics floe reports match the data', async (t) => {
  const { files, expect } = generate(t);
  const conn = await duckdb(t);
  for (const f of files) {
    const m = f.metrics;
    const [s] = await query(conn, `SELECT count(*)::INTEGER AS n,
        min(id)::VARCHAR AS id_lo, max(id)::VARCHAR AS id_hi,
        count(*) FILTER (WHERE cat IS NULL)::INTEGER AS cat_nulls, min(cat) AS cat_lo, max(cat) AS cat_hi,
        count(*) FILTER (WHERE name IS NULL)::INTEGER AS name_nulls, min(name) AS name_lo, max(name) AS name_hi,
        count(*) FILTER (WHERE score IS NULL)::INTEGER AS score_nulls,
        count(*) FILTER (WHERE isnan(score))::INTEGER AS score_nans,
        min(score) FILTER (WHERE NOT isnan(score)) AS score_lo, max(score) FILTER (WHERE NOT isnan(score)) AS score_hi,
        count(*) FILTER (WHERE price IS NULL)::INTEGER AS price_nulls, min(price)::VARCHAR AS price_lo, max(price)::VARCHAR AS price_hi,
        min(epoch_us(ts))::VARCHAR AS ts_lo, max(epoch_us(ts))::VARCHAR AS ts_hi,
        min(day)::VARCHAR AS day_lo, max(day)::VARCHAR AS day_hi
      FROM read_parquet(${sq(f.path)})`);
    assert.equal(s.n, f.record_count);
    for (const id of ['1', '2', '3', '4', '5', '6', '7']) assert.equal(m[id].value_count, f.record_count, `value_count ${id}`);
    for (const id of ['1', '2', '3', '4', '5', '6', '7', '9']) assert.ok(m[id].column_size > 0, `column_size ${id}`);
    assert.equal(m['1'].null_count, 0);
    assert.equal(m['1'].lower, s.id_lo);
    assert.equal(m['1'].upper, s.id_hi);
    assert.equal(m['2'].null_count, s.cat_nulls);
    if (s.cat_lo === null) {
      assert.equal(m['2'].lower, undefined);
    } else {
      assert.equal(m['2'].lower, s.cat_lo); // metrics mode full for cat
      assert.equal(m['2'].upper, s.cat_hi);
    }
    // truncate(16): the lower bound is the 16-code-point prefix, the upper its increment.
    assert.equal(m['3'].null_count, s.name_nulls);
    assert.equal(m['3'].lower, cps(s.name_lo, 16));
    assert.equal(m['3'].upper, truncUpper(s.name_hi));
    assert.ok(bytesCmp(m['3'].lower, s.name_lo) <= 0);
    assert.ok(bytesCmp(m['3'].upper, s.name_hi) >= 0);
    assert.equal(m['4'].null_count, s.score_nulls);
    assert.equal(m['4'].nan_count, s.score_nans);
    assert.equal(m['4'].lower, s.score_lo);
    assert.equal(m['4'].upper, s.score_hi);
    assert.equal(m['5'].null_count, s.price_nulls);
    assert.equal(m['5'].lower, s.price_lo);
    assert.equal(m['5'].upper, s.price_hi);
    assert.equal(m['6'].lower, s.ts_lo);
    assert.equal(m['6'].upper, s.ts_hi);
    assert.equal(m['7'].lower, s.day_lo);
    assert.equal(m['7'].upper, s.day_hi);
    // The list element: one slot per element, or one for a null or empty list; no bounds.
    const rows = expect.filter((r) => (f.partition === null ? r.cat === null : r.cat === f.partition) &&
      f.record_count > 0);
    const inFile = new Set((await query(conn, `SELECT id::VARCHAR AS id FROM read_parquet(${sq(f.path)})`)).map((r) => r.id));
    const mine = rows.filter((r) => inFile.has(r.id));
    const slots = mine.reduce((n, r) => n + (r.tags === null ? 1 : Math.max(1, r.tags.length)), 0);
    const nulls = mine.reduce((n, r) => n + (r.tags === null || r.tags.length === 0 ? 1 : r.tags.filter((x) => x === null).length), 0);
    assert.equal(m['9'].value_count, slots);
    assert.equal(m['9'].null_count, nulls);
    assert.equal(m['9'].lower, undefined);
    assert.equal(m['8'].value_count, -1); // no metrics for the list itself
  }
});
