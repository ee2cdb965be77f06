// SPDX-License-Identifier: Apache-2.0
// Canary for the interop toolchain: the independent readers later tests rely on are installed
// and agree with each other and with the fixture's documented contents, and floe runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { copyFixture, duckdb, floe, query, tempDir } from './lib.mjs';

test('floe runs and reports its version', () => {
  const r = floe(['--version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^floe \d+\.\d+\.\d+\n$/);
});

test('DuckDB and hyparquet read the same fixture rows', async (t) => {
  const dir = tempDir(t);
  const file = copyFixture('parquet/alltypes_plain.parquet', dir);
  const conn = await duckdb(t);
  const ddb = await query(conn, `SELECT id FROM read_parquet('${file}')`);
  // The fixture README documents this file's id order.
  assert.deepEqual(ddb.map((r) => Number(r.id)), [4, 5, 6, 7, 2, 3, 0, 1]);
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors });
  assert.deepEqual(rows.map((r) => r.id), [4, 5, 6, 7, 2, 3, 0, 1]);
  assert.equal(path.basename(file), 'alltypes_plain.parquet');
});
