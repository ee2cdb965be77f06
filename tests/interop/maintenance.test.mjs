// SPDX-License-Identifier: Apache-2.0
// Table maintenance checked by an independent reader. A filesystem table gets a tag, a branch
// with its own append, position deletes, an equality delete, whole data files removed by an
// overwrite and more appends, all through the `floe table` command. Every snapshot's rows are
// recorded with icebird (a JavaScript Iceberg reader) and with `floe table scan --snapshot`.
// Then `floe table expire` (twice, keeping fewer snapshots each time) and `floe table
// clean-orphans` run; after each: every snapshot that remains reads the same rows with both
// readers, and every file that disappeared is unreachable from the remaining metadata as icebird
// reads it (metadata files, manifest lists, manifests and the live entries of those manifests).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { icebergManifests, icebergRead } from 'icebird';
import { fetchLocalFiles, floe, SHARED_FIXTURES, tempDir } from './lib.mjs';

function ok(args) {
  const r = floe(args);
  assert.equal(r.status, 0, `floe ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const lines = (s) => s.split('\n').filter((l) => l);

const COLS = ['a', 'b', 'c', 'd', 'e'];
const norm = (r) => JSON.stringify(COLS.map((k) => r[k] ?? null), (_, v) => (typeof v === 'bigint' ? Number(v) : v));
const sorted = (rows) => rows.map(norm).sort();

/** The current metadata: as icebird would use it, plus the exact snapshot ids (JSON numbers
 * above 2^53 lose precision in JSON.parse) keyed by sequence number. */
function loadMetadata(T) {
  const hint = readFileSync(path.join(T, 'metadata/version-hint.text'), 'utf8').trim();
  const file = path.join(T, 'metadata', `v${hint}.metadata.json`);
  const text = readFileSync(file, 'utf8');
  const metadata = JSON.parse(text);
  const exact = JSON.parse(text.replace(/"snapshot-id"\s*:\s*(\d+)/g, '"snapshot-id":"$1"'));
  const ids = new Map(exact.snapshots.map((s) => [s['sequence-number'], s['snapshot-id']]));
  return { file, metadata, ids };
}

/** Every file under a directory (absolute paths). */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** Rows of every snapshot of the current metadata, by sequence number, with both readers. */
async function readAll(T) {
  const { metadata, ids } = loadMetadata(T);
  const out = new Map();
  for (const s of metadata.snapshots) {
    const seq = s['sequence-number'];
    const ice = sorted(await icebergRead({ tableUrl: T,
      metadata: { ...metadata, 'current-snapshot-id': s['snapshot-id'] } }));
    const fl = sorted(lines(ok(['table', 'scan', T, '--snapshot', ids.get(seq)])).map((l) => JSON.parse(l)));
    assert.deepEqual(ice, fl, `snapshot seq ${seq}: icebird and floe differ`);
    out.set(seq, fl);
  }
  return out;
}

/** What the current metadata reaches, read by icebird: metadata files, manifest lists,
 * manifests and the live (not DELETED) entries of every snapshot's manifests. */
async function reachable(T) {
  const { file, metadata } = loadMetadata(T);
  const set = new Set([file, path.join(T, 'metadata/version-hint.text')]);
  for (const m of metadata['metadata-log'] ?? []) set.add(m['metadata-file']);
  for (const s of metadata.snapshots) {
    set.add(s['manifest-list']);
    for (const { url, entries } of await icebergManifests({ ...metadata, 'current-snapshot-id': s['snapshot-id'] })) {
      set.add(url);
      for (const e of entries) if (e.status !== 2) set.add(e.data_file.file_path);
    }
  }
  for (const st of [...(metadata.statistics ?? []), ...(metadata['partition-statistics'] ?? [])]) {
    set.add(st['statistics-path']);
  }
  return set;
}

/** Run one maintenance command; check rows of what remains and that deleted files were
 * unreachable. Returns the files it deleted. */
async function checkAction(T, args, before) {
  const filesBefore = new Set(listFiles(T));
  ok(args);
  const after = await readAll(T);
  for (const [seq, rows] of after) {
    assert.ok(before.has(seq), `snapshot seq ${seq} is new`);
    assert.deepEqual(rows, before.get(seq), `snapshot seq ${seq} changed rows after ${args[1]}`);
  }
  const reach = await reachable(T);
  const now = new Set(listFiles(T));
  for (const f of reach) assert.ok(now.has(f), `${args[1]} deleted reachable ${f}`);
  const deleted = [...filesBefore].filter((f) => !now.has(f));
  for (const f of deleted) assert.ok(!reach.has(f), `${args[1]} deleted reachable ${f}`);
  return { after, deleted };
}

test('after expire and clean-orphans every remaining snapshot reads its rows (icebird and floe)', async (t) => {
  fetchLocalFiles(t);
  const dir = tempDir(t);
  const T = path.join(dir, 't');
  const csv = (name, text) => { const f = path.join(dir, name); writeFileSync(f, text); return f; };
  ok(['table', 'create', T, '--like', path.join(SHARED_FIXTURES, 'parquet/datapage_v2.snappy.parquet'),
    '--partition', 'bucket(2, b)']);
  ok(['table', 'append', T, path.join(SHARED_FIXTURES, 'parquet/datapage_v2.snappy.parquet')]); // seq 1
  ok(['table', 'append', T, csv('s2.csv', 'b,a,c,d\n10,x,1.5,false\n11,y,2.25,true\n12,,3,true\n')]); // 2
  ok(['table', 'tag', T, 'before-deletes']); // on seq 2
  ok(['table', 'delete', T, '--where', 'b = 2 OR b = 12']); // 3: position deletes
  ok(['table', 'branch', T, 'audit']); // at seq 3
  ok(['table', 'append', T, csv('br.csv', 'b,a,c,d\n20,br,7,true\n21,br,8,false\n'), '--branch', 'audit']); // 4
  ok(['table', 'delete', T, '--where', 'b >= 10']); // 5: whole files removed (overwrite)
  ok(['table', 'append', T, csv('s6.csv', 'b,a,c,d\n30,z,1,true\n31,abc,2,false\n')]); // 6
  ok(['table', 'delete', T, '--where', "a = 'abc'", '--equality']); // 7
  ok(['table', 'append', T, csv('s8.csv', 'b,a,c,d\n40,w,0,true\n')]); // 8
  ok(['table', 'delete', T, '--where', 'b >= 30 AND b < 40']); // 9: the files of 6 removed

  const before = await readAll(T);
  assert.equal(before.size, 9);
  assert.ok(before.get(4).some((r) => r.includes('"br"')), 'the branch append is read');
  assert.ok(!before.get(9).some((r) => r.includes('"br"')), 'main does not see the branch');
  const total = [...before.values()].reduce((n, r) => n + r.length, 0);
  assert.ok(total > 40, `rows recorded: ${total}`);

  // Keep 3 per branch: main keeps 7..9, the branch 4 and its parents 3 and 2, the tag 2.
  let r = await checkAction(T, ['table', 'expire', T, '--older-than', '0s', '--retain-last', '3'], before);
  assert.deepEqual([...r.after.keys()].sort((x, y) => x - y), [2, 3, 4, 7, 8, 9]);
  assert.ok(r.deleted.length > 0, 'the first expiration deleted files');
  // Keep 1 per branch: heads of main and audit, and the tag.
  r = await checkAction(T, ['table', 'expire', T, '--older-than', '0s', '--retain-last', '1'], before);
  assert.deepEqual([...r.after.keys()].sort((x, y) => x - y), [2, 4, 9]);
  // The data files of 6 were live only in 6..8 (9 removed them): they go now.
  assert.ok(r.deleted.some((f) => f.includes('/data/')), `data files went: ${r.deleted}`);

  // Orphans: two old stray files go; a young one (a writer's uncommitted output) stays.
  const old = Date.now() / 1000 - 7200;
  const strays = [path.join(T, 'data/stray.parquet'), path.join(T, 'metadata/stray.avro')];
  for (const f of strays) { writeFileSync(f, 'x'); utimesSync(f, old, old); }
  const young = path.join(T, 'data/in-flight.parquet');
  writeFileSync(young, 'y');
  r = await checkAction(T, ['table', 'clean-orphans', T, '--older-than', '1h'], before);
  const left = new Set(listFiles(T));
  for (const f of strays) assert.ok(!left.has(f), `${f} is an orphan`);
  assert.ok(left.has(young), 'a file younger than the minimum age stays');
  assert.ok(r.deleted.length >= 2);
});
