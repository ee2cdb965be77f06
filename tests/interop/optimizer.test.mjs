// SPDX-License-Identifier: Apache-2.0
// The optimizer's executor compacts a copied Iceberg table with position and equality deletes
// (java_api_pos_and_eq_deletes, through the test-only gen_optimizer program). DuckDB computes
// the expected rows on its own from the raw input files: every data file, minus the positions
// its position-delete files name (seq(D) >= seq(F)), minus the rows matching an equality-delete
// file's key columns (seq(D) > seq(F)). DuckDB and hyparquet then read the output file: the same
// rows, and the record count floe reported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { copyFixture, duckdb, query, tempDir } from './lib.mjs';

const GEN = path.join(process.env.FLOE_BUILD_DIR ?? path.resolve('../../build/dev'), 'tests', 'gen_optimizer');
const sq = (s) => `'${s.replaceAll("'", "''")}'`;
const qi = (s) => `"${s.replaceAll('"', '""')}"`;

function compact(t) {
  const dir = tempDir(t, 'floe-optimizer-');
  const table = copyFixture('iceberg/java_api_pos_and_eq_deletes', dir);
  const r = spawnSync(GEN, [table, 's3a://hyperparam-iceberg/java/bunnies', 'v5.metadata.json'],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Canonical text of a row over `cols` (numbers as numbers, nulls as null). */
function canon(row, cols) {
  return JSON.stringify(cols.map((c) => {
    const v = row[c];
    if (v === null || v === undefined) return null;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) && c !== 'Breed Name') return Number(v);
    return v;
  }));
}

test('DuckDB and hyparquet read the compacted file: the input rows minus the deleted ones', async (t) => {
  const doc = compact(t);
  const conn = await duckdb(t);
  assert.equal(doc.outputs.length, 1);
  const out = doc.outputs[0];

  // Columns are matched by Parquet field id: the Java writer stored sanitised names
  // ("Breed_x20Name") where the table schema, and so floe's output, says "Breed Name".
  const ids = async (file) => new Map((await query(conn,
    `SELECT field_id::INTEGER AS id, name FROM parquet_schema(${sq(file)}) WHERE field_id IS NOT NULL`))
    .map((r) => [Number(r.id), r.name]));
  const outIds = await ids(out);
  const cols = [...outIds.values()];
  assert.ok(cols.includes('Breed Name') && cols.includes('__happy__'), cols.join(','));

  // Expected rows, from the raw files.
  const expected = [];
  for (const f of doc.inputs) {
    const fileIds = await ids(f.path);
    const select = [...outIds].map(([id, name]) => (fileIds.has(id) ? `${qi(fileIds.get(id))} AS ${qi(name)}` : `NULL AS ${qi(name)}`)).join(', ');
    let where = 'TRUE';
    for (const d of doc.deletes) {
      if (d.content === 'position' && d.seq >= f.seq) {
        where += ` AND file_row_number NOT IN (SELECT pos FROM read_parquet(${sq(d.path)}) WHERE file_path LIKE ${sq('%/' + path.basename(f.path))})`;
      } else if (d.content === 'equality' && d.seq > f.seq) {
        const delIds = await ids(d.path);
        const dataKeys = d.equality_ids.map((id) => qi(fileIds.get(id)));
        const delKeys = d.equality_ids.map((id) => qi(delIds.get(id)));
        where += ` AND (${dataKeys.join(', ')}) NOT IN (SELECT (${delKeys.join(', ')}) FROM read_parquet(${sq(d.path)}))`;
      }
    }
    const rows = await query(conn, `SELECT ${select} FROM read_parquet(${sq(f.path)}, file_row_number = true) WHERE ${where}`);
    expected.push(...rows);
  }
  assert.equal(expected.length, 15);

  const duckOut = await query(conn, `SELECT ${cols.map(qi).join(', ')} FROM read_parquet(${sq(out)})`);
  const want = expected.map((r) => canon(r, cols)).sort();
  assert.deepEqual(duckOut.map((r) => canon(r, cols)).sort(), want);
  assert.equal(doc.output.files[0].records, 15);
  assert.equal(doc.output.summary.rows, '15');

  const hyp = await parquetReadObjects({ file: await asyncBufferFromFile(out), compressors });
  assert.deepEqual(hyp.map((r) => canon(r, cols)).sort(), want);
  assert.ok(!hyp.some((r) => r['Breed Name'] === 'Flemish Giant'));
  assert.equal(hyp.filter((r) => r['Breed Name'] === 'New Zealand').length, 1);
});
