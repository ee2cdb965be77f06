// SPDX-License-Identifier: Apache-2.0
// A table written and changed only through the `floe table` command (create like a Parquet
// file, partitioned by bucket; append Parquet and CSV; position deletes; equality deletes; a
// whole data file removed) is read by icebird, an independent JavaScript Iceberg reader, at
// every metadata version: icebird's rows equal what `floe table scan` prints for the same
// version, and its view of the metadata (snapshots, summaries) matches `floe table snapshots`.
//
// The table lives in a local directory, so its metadata records local absolute paths; icebird
// fetches everything with fetch(), which is given local files for absolute paths here.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { icebergMetadata, icebergRead } from 'icebird';
import { fetchLocalFiles, floe, SHARED_FIXTURES, tempDir } from './lib.mjs';

function ok(args) {
  const r = floe(args);
  assert.equal(r.status, 0, `floe ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const COLS = ['a', 'b', 'c', 'd', 'e'];
/** A row as comparable text: columns in schema order, absent values as null. */
const norm = (r) => JSON.stringify(COLS.map((k) => r[k] ?? null), (_, v) => (typeof v === 'bigint' ? Number(v) : v));
const sorted = (rows) => rows.map(norm).sort();

test('icebird reads a table written and changed by the floe table command like floe does', async (t) => {
  fetchLocalFiles(t);
  const dir = tempDir(t);
  const T = path.join(dir, 't');
  ok(['table', 'create', T, '--like', path.join(SHARED_FIXTURES, 'parquet/datapage_v2.snappy.parquet'),
    '--partition', 'bucket(2, b)']);
  const csv = path.join(dir, 'more.csv');
  writeFileSync(csv, 'b,a,c,d\n10,x,1.5,false\n11,"y, ""q""",2.25,true\n12,,3,true\n13,x,-4,false\n');
  ok(['table', 'append', T, path.join(SHARED_FIXTURES, 'parquet/datapage_v2.snappy.parquet'), csv]);
  ok(['table', 'delete', T, '--where', 'b = 2 OR b = 12']);
  ok(['table', 'delete', T, '--where', "a = 'x'", '--equality']);
  const again = path.join(dir, 'again.csv');
  writeFileSync(again, 'b,a,c,d\n14,x,0,true\n15,w,1,true\n');
  ok(['table', 'append', T, again]);
  ok(['table', 'delete', T, '--where', 'b >= 14']); // every row of that data file: removed

  const hint = Number(readFileSync(path.join(T, 'metadata/version-hint.text'), 'utf8'));
  assert.equal(hint, 6);
  let compared = 0;
  for (let v = 2; v <= hint; v++) {
    const metadataFileName = `v${v}.metadata.json`;
    const metadata = await icebergMetadata({ tableUrl: T, metadataFileName });
    const got = await icebergRead({ tableUrl: T, metadata });
    const want = ok(['table', 'scan', path.join(T, 'metadata', metadataFileName)])
      .split('\n').filter((l) => l).map((l) => JSON.parse(l));
    assert.deepEqual(sorted(got), sorted(want), `version ${v}`);
    compared += want.length;
  }
  assert.ok(compared > 20, `rows compared: ${compared}`);

  // The current version, spelled out.
  const rows = sorted(await icebergRead({ tableUrl: T }));
  assert.deepEqual(rows, sorted([
    { a: 'abc', b: 1, c: 2, d: true, e: [1, 2, 3] },
    { a: 'abc', b: 3, c: 4, d: true, e: null },
    { a: null, b: 4, c: 5, d: false, e: [1, 2, 3] },
    { a: 'abc', b: 5, c: 2, d: true, e: [1, 2] },
    { a: 'y, "q"', b: 11, c: 2.25, d: true, e: null },
  ]));

  // Snapshots and summaries as icebird reads them equal floe's view.
  const metadata = await icebergMetadata({ tableUrl: T });
  const floeSnaps = ok(['table', 'snapshots', T, '--json']).split('\n').filter((l) => l).map((l) => JSON.parse(l));
  assert.equal(metadata.snapshots.length, 5);
  assert.deepEqual(metadata.snapshots.map((s) => s.summary), floeSnaps.map((s) => s.summary));
  assert.deepEqual(metadata.snapshots.map((s) => s.summary.operation),
    ['append', 'delete', 'delete', 'append', 'overwrite']);
  const current = metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
  assert.equal(current.summary['deleted-data-files'], '2'); // b = 14 and 15 hash to two buckets
  const liveData = ok(['table', 'files', T]).split('\n').filter((l) => l.startsWith('data\t'));
  assert.equal(current.summary['total-data-files'], String(liveData.length));
});
