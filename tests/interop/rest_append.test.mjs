// SPDX-License-Identifier: Apache-2.0
// A table created through floe's REST catalog by iceberg-js and appended to the way an engine
// does it (gen_rest_append: floe's library writes partitioned Parquet data files into the
// table's location and commits a fast append through the REST API), read back by independent
// readers: icebird (metadata, manifest list, manifests, data files) and DuckDB (each data file),
// and by `floe table scan` on the metadata file the catalog points at.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { icebergRead } from 'icebird';
import { duckdb, fetchLocalFiles, floe, GEN_REST_APPEND, itemsTable, query, startServer } from './lib.mjs';


function append(base, first, count) {
  const r = spawnSync(GEN_REST_APPEND, [base, 'shop', 'items', String(first), String(count)],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const row = (i) => ({ id: BigInt(i), name: `name-${i}`, cat: ['a', 'b', 'c'][i % 3] });
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

test('icebird and DuckDB read a table appended to through the REST catalog', async (t) => {
  // Exact file counts: no optimizer may compact the table under the test.
  const { base } = await startServer(t, ['--local-optimizer-threads', '0']);
  fetchLocalFiles(t);
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });
  await catalog.createNamespace({ namespace: ['shop'] });
  await catalog.createTable({ namespace: ['shop'] }, itemsTable());

  const first = append(base, 0, 100);
  assert.equal(first['data-files'], 3); // one file per partition
  const second = append(base, 100, 50);

  // The catalog serves what the second commit produced.
  const loaded = await catalog.loadTable({ namespace: ['shop'], name: 'items' });
  const current = loaded.snapshots.find((s) => s['snapshot-id'] === loaded['current-snapshot-id']);
  assert.equal(current.summary['total-records'], '150');
  assert.equal(current.summary['total-data-files'], '6');
  assert.equal(loaded.snapshots.length, 2);

  // icebird: the whole read path from the metadata file the catalog points at.
  const metaLocation = second['metadata-location'];
  const rows = await icebergRead({
    tableUrl: path.dirname(path.dirname(metaLocation)),
    metadataFileName: path.basename(metaLocation),
  });
  const want = Array.from({ length: 150 }, (_, i) => row(i));
  assert.deepEqual(rows.map((r) => ({ id: BigInt(r.id), name: r.name, cat: r.cat })).sort(byId),
    want);

  // floe's own scan of the same metadata file: the same 150 rows.
  const scan = floe(['table', 'scan', metaLocation]);
  assert.equal(scan.status, 0, scan.stderr);
  const scanned = scan.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(scanned.map((r) => ({ id: BigInt(r.id), name: r.name, cat: r.cat })).sort(byId),
    want);

  // DuckDB: each data file on its own holds one partition's rows, with Iceberg's field ids.
  const conn = await duckdb(t);
  const files = await query(conn, `SELECT DISTINCT file_name FROM parquet_metadata(
    '${path.join(loaded.location, 'data')}/**/*.parquet')`);
  assert.equal(files.length, 6);
  for (const { file_name: file } of files) {
    const cat = /cat=([abc])/.exec(file)[1];
    const got = await query(conn, `SELECT DISTINCT cat FROM '${file}'`);
    assert.deepEqual(got, [{ cat }], file);
  }
  const ids = await query(conn, `SELECT field_id FROM parquet_schema(
    '${files[0].file_name}') WHERE field_id IS NOT NULL ORDER BY field_id`);
  assert.deepEqual(ids.map((r) => Number(r.field_id)), [1, 2, 3]);
});

test('a commit to a table that is not there fails cleanly', async (t) => {
  const { base } = await startServer(t);
  const r = spawnSync(GEN_REST_APPEND, [base, 'shop', 'items', '0', '1'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /gen_rest_append: load: .*404.*NoSuch(Table|Namespace)Exception/);
});
