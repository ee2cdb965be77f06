// SPDX-License-Identifier: Apache-2.0
// Table maintenance checked by an independent reader. A filesystem table gets a tag, a branch
// with its own append, position deletes, an equality delete, whole data files removed by an
// overwrite and more appends, all through the `floe table` command. Every snapshot's rows are
// recorded with icebird (a JavaScript Iceberg reader) and with `floe table scan --snapshot`.
// Then `floe table expire` (twice, keeping fewer snapshots each time) and `floe table
// clean-orphans` run; after each: every snapshot that remains reads the same rows with both
// readers, and every file that disappeared is unreachable from the remaining metadata as icebird
// reads it (metadata files, manifest lists, manifests and the live entries of those manifests).
// A second test does the same on a table of `floe server` (created and appended to through
// the REST catalog) for the server's actions run through the manual trigger route: data
// expiration (file level, a long field in seconds), snapshot expiration and orphan cleaning.
// A third lets the server's self-optimizing compact a table (a REPLACE snapshot written by the
// embedded optimizer), then expires every older snapshot: the replaced small files go, and the
// remaining snapshot reads all rows with both readers.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { IcebergRestCatalog } from 'iceberg-js';
import { icebergManifests, icebergRead } from 'icebird';
import { fetchLocalFiles, floe, GEN_REST_APPEND, itemsTable, SHARED_FIXTURES, startServer, tempDir } from './lib.mjs';

function ok(args) {
  const r = floe(args);
  assert.equal(r.status, 0, `floe ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const lines = (s) => s.split('\n').filter((l) => l);

const COLS = ['a', 'b', 'c', 'd', 'e'];
/** Rows as comparable text: the columns in order, absent values as null. */
const sorted = (rows, cols) => rows.map((r) => JSON.stringify(cols.map((k) => r[k] ?? null),
  (_, v) => (typeof v === 'bigint' ? String(v) : typeof v === 'number' ? String(v) : v))).sort();

/** The current metadata file of a filesystem table (version-hint.text). */
const fsCurrent = (T) => () =>
  path.join(T, 'metadata', `v${readFileSync(path.join(T, 'metadata/version-hint.text'), 'utf8').trim()}.metadata.json`);

/** A metadata file as icebird uses it, plus the exact snapshot ids (JSON numbers above 2^53
 * lose precision in JSON.parse) keyed by sequence number. */
function loadMetadata(file) {
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

/** Rows of every snapshot of a metadata file, by sequence number, with both readers. */
async function readAll(T, file, cols) {
  const { metadata, ids } = loadMetadata(file);
  const out = new Map();
  for (const s of metadata.snapshots) {
    const seq = s['sequence-number'];
    const ice = sorted(await icebergRead({ tableUrl: T,
      metadata: { ...metadata, 'current-snapshot-id': s['snapshot-id'] } }), cols);
    const fl = sorted(lines(ok(['table', 'scan', file, '--snapshot', ids.get(seq)])).map((l) => JSON.parse(l)), cols);
    assert.deepEqual(ice, fl, `snapshot seq ${seq}: icebird and floe differ`);
    out.set(seq, fl);
  }
  return out;
}

/** What a metadata file reaches, read by icebird: metadata files, manifest lists, manifests
 * and the live (not DELETED) entries of every snapshot's manifests, statistics files. */
async function reachable(T, file) {
  const { metadata } = loadMetadata(file);
  const set = new Set([file]);
  const hint = path.join(T, 'metadata/version-hint.text');
  if (existsSync(hint)) set.add(hint); // filesystem tables only
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

/**
 * Run one maintenance action (`run`, async); then every snapshot that remains reads the rows
 * recorded in `before` with both readers (snapshots the action committed are returned for the
 * caller to check), and every file that disappeared is unreachable from the metadata now.
 */
async function checkAction(T, current, run, before, cols, what) {
  const filesBefore = new Set(listFiles(T));
  await run();
  const file = current();
  const after = await readAll(T, file, cols);
  const added = new Map();
  for (const [seq, rows] of after) {
    if (before.has(seq)) assert.deepEqual(rows, before.get(seq), `snapshot seq ${seq} changed rows after ${what}`);
    else added.set(seq, rows);
  }
  const reach = await reachable(T, file);
  const now = new Set(listFiles(T));
  for (const f of reach) assert.ok(now.has(f), `${what} deleted reachable ${f}`);
  const deleted = [...filesBefore].filter((f) => !now.has(f));
  for (const f of deleted) assert.ok(!reach.has(f), `${what} deleted reachable ${f}`);
  return { after, added, deleted };
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

  const current = fsCurrent(T);
  const cli = (...args) => async () => { ok(args); };
  const before = await readAll(T, current(), COLS);
  assert.equal(before.size, 9);
  assert.ok(before.get(4).some((r) => r.includes('"br"')), 'the branch append is read');
  assert.ok(!before.get(9).some((r) => r.includes('"br"')), 'main does not see the branch');
  const total = [...before.values()].reduce((n, r) => n + r.length, 0);
  assert.ok(total > 40, `rows recorded: ${total}`);

  // Keep 3 per branch: main keeps 7..9, the branch 4 and its parents 3 and 2, the tag 2.
  let r = await checkAction(T, current, cli('table', 'expire', T, '--older-than', '0s', '--retain-last', '3'),
    before, COLS, 'expire');
  assert.equal(r.added.size, 0);
  assert.deepEqual([...r.after.keys()].sort((x, y) => x - y), [2, 3, 4, 7, 8, 9]);
  assert.ok(r.deleted.length > 0, 'the first expiration deleted files');
  // Keep 1 per branch: heads of main and audit, and the tag.
  r = await checkAction(T, current, cli('table', 'expire', T, '--older-than', '0s', '--retain-last', '1'),
    before, COLS, 'expire');
  assert.deepEqual([...r.after.keys()].sort((x, y) => x - y), [2, 4, 9]);
  // The data files of 6 were live only in 6..8 (9 removed them): they go now.
  assert.ok(r.deleted.some((f) => f.includes('/data/')), `data files went: ${r.deleted}`);

  // Orphans: two old stray files go; a young one (a writer's uncommitted output) stays.
  const old = Date.now() / 1000 - 7200;
  const strays = [path.join(T, 'data/stray.parquet'), path.join(T, 'metadata/stray.avro')];
  for (const f of strays) { writeFileSync(f, 'x'); utimesSync(f, old, old); }
  const young = path.join(T, 'data/in-flight.parquet');
  writeFileSync(young, 'y');
  r = await checkAction(T, current, cli('table', 'clean-orphans', T, '--older-than', '1h'), before, COLS,
    'clean-orphans');
  const left = new Set(listFiles(T));
  for (const f of strays) assert.ok(!left.has(f), `${f} is an orphan`);
  assert.ok(left.has(young), 'a file younger than the minimum age stays');
  assert.ok(r.deleted.length >= 2);
});


test('the server actions, triggered by hand: data expiration, snapshot expiration, orphans', async (t) => {
  const dir = tempDir(t);
  const config = path.join(dir, 'config.yaml');
  // The scheduler stays out of the way (first pass after an hour); the manual trigger runs. No
  // self-optimizing: a planned process would protect its snapshot from expiration.
  writeFileSync(config, 'optimizing:\n  enabled: false\nmaintenance:\n  first-run: 1h\n');
  const { base } = await startServer(t, ['--config', config, '--local-optimizer-threads', '0']);
  fetchLocalFiles(t);
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });
  await catalog.createNamespace({ namespace: ['shop'] });
  // id is a time in seconds: rows older than a day expire, file by file.
  await catalog.createTable({ namespace: ['shop'] }, itemsTable({
    'data-expire.field': 'id', 'data-expire.level': 'file', 'data-expire.retention-time': '1d',
    'data-expire.datetime-number-format': 'TIMESTAMP_S', 'data-expire.base-on-rule': 'CURRENT_TIME',
  }));
  const append = (first, count) => {
    const r = spawnSync(GEN_REST_APPEND, [base, 'shop', 'items', String(first), String(count)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  const nowS = Math.floor(Date.now() / 1000);
  append(nowS - 30 * 86400, 60); // seq 1: old rows, three files (one per cat)
  append(nowS - 3600, 30); // seq 2: young rows
  append(nowS - 20 * 86400, 30); // seq 3: old rows again
  const info = async () => {
    const res = await fetch(`${base}/api/v1/tables/default/shop/items/maintenance`);
    assert.equal(res.status, 200);
    return res.json();
  };
  let metadataLocation = (await info())['metadata-location'];
  const T = path.dirname(path.dirname(metadataLocation));
  const current = () => metadataLocation;
  const trigger = (action, query = '') => async () => {
    const res = await fetch(`${base}/api/v1/tables/default/shop/items/maintenance/${action}${query}`,
      { method: 'POST' });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ok', JSON.stringify(body));
    assert.equal(body.skipped ?? null, null, JSON.stringify(body));
    metadataLocation = (await info())['metadata-location'];
  };
  const cols = ['id', 'name', 'cat'];
  const before = await readAll(T, current(), cols);
  assert.deepEqual([...before.keys()], [1, 2, 3]);
  assert.equal(before.get(3).length, 120);

  // Data expiration: one commit that removes the old files; the young rows stay.
  let r = await checkAction(T, current, trigger('expire-data'), before, cols, 'expire-data');
  assert.equal(r.added.size, 1);
  const [[seq, rows]] = [...r.added];
  assert.deepEqual(rows, before.get(2).filter((x) => !before.get(1).includes(x)));
  assert.equal(rows.length, 30);
  assert.equal(r.deleted.length, 0, 'data expiration deletes no file itself');
  const all = new Map([...before, [seq, rows]]);

  // Snapshot expiration: only the current snapshot stays; the old files go now.
  r = await checkAction(T, current, trigger('expire-snapshots', '?older-than=0s'), all, cols, 'expire-snapshots');
  assert.deepEqual([...r.after.keys()], [seq]);
  assert.equal(r.deleted.filter((f) => f.endsWith('.parquet')).length, 6, r.deleted.join('\n'));

  // Orphan cleaning: an old stray goes; nothing the table references does.
  const stray = path.join(T, 'data', 'stray.parquet');
  writeFileSync(stray, 'x');
  const old = Date.now() / 1000 - 7200;
  utimesSync(stray, old, old);
  r = await checkAction(T, current, trigger('clean-orphan-files', '?older-than=1h'), all, cols, 'clean-orphan-files');
  assert.deepEqual(r.deleted, [stray]);
});

test('snapshot expiration after self-optimizing compacted the table (a real rewrite)', async (t) => {
  const dir = tempDir(t);
  const config = path.join(dir, 'config.yaml');
  // Self-optimizing on with the server's embedded optimizer; the scheduler stays out of the way.
  writeFileSync(config, 'optimizing:\n  refresh-tables.interval: 1s\nmaintenance:\n  first-run: 1h\n');
  const { base } = await startServer(t, ['--config', config]);
  fetchLocalFiles(t);
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });
  await catalog.createNamespace({ namespace: ['shop'] });
  await catalog.createTable({ namespace: ['shop'] }, itemsTable({
    'self-optimizing.minor.trigger.file-count': '3', 'self-optimizing.min-plan-interval': '1000',
  }));
  const id = { namespace: ['shop'], name: 'items' };
  const append = (first, count) => {
    const r = spawnSync(GEN_REST_APPEND, [base, 'shop', 'items', String(first), String(count)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  for (let i = 0; i < 6; i++) append(i * 30, 30); // 18 small files, 6 per partition
  // Wait for the optimizer's rewrite to be the current snapshot.
  let loaded;
  for (let i = 0; i < 240; i++) {
    loaded = await catalog.loadTable(id);
    const cur = loaded.snapshots.find((s) => s['snapshot-id'] === loaded['current-snapshot-id']);
    if (cur?.summary?.operation === 'replace') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const cur = loaded.snapshots.find((s) => s['snapshot-id'] === loaded['current-snapshot-id']);
  assert.equal(cur.summary.operation, 'replace', 'self-optimizing compacted the table');
  assert.equal(cur.summary['total-records'], '180');
  // Optimizing off (a running process would protect its snapshot), then one more append.
  const res = await fetch(`${base}/v1/namespaces/shop/tables/items`, { method: 'POST',
    body: JSON.stringify({ requirements: [], updates: [{ action: 'set-properties',
      updates: { 'self-optimizing.enabled': 'false' } }] }) });
  assert.equal(res.status, 200);
  append(180, 3);
  let metadataLocation = (await (await fetch(
    `${base}/api/v1/tables/default/shop/items/maintenance`)).json())['metadata-location'];
  const T = path.dirname(path.dirname(metadataLocation));
  const current = () => metadataLocation;
  const cols = ['id', 'name', 'cat'];
  const before = await readAll(T, current(), cols);
  const expire = async () => {
    const r = await fetch(`${base}/api/v1/tables/default/shop/items/maintenance/expire-snapshots?older-than=0s`,
      { method: 'POST' });
    const body = await r.json();
    assert.equal(r.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ok', JSON.stringify(body));
    metadataLocation = body['committed-metadata'] ?? metadataLocation;
  };
  const r = await checkAction(T, current, expire, before, cols, 'expire-snapshots after a rewrite');
  assert.equal(r.after.size, 1, 'only the current snapshot remains');
  const [rows] = [...r.after.values()];
  assert.equal(rows.length, 183);
  // The small files the rewrites replaced are gone (how many rewrites ran depends on timing: at
  // least one partition's files were compacted); the compacted files and the last append stay.
  const gone = r.deleted.filter((f) => f.endsWith('.parquet'));
  assert.ok(gone.length >= 3, r.deleted.join('\n'));
  const { metadata } = loadMetadata(current());
  const last = metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
  assert.ok(Number(last.summary['total-data-files']) < 21, 'fewer files than were written');
});
