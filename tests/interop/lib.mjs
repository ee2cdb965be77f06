// SPDX-License-Identifier: Apache-2.0
// Shared helpers for interop tests: where floe is, temporary directories, running floe,
// copying shared fixtures (never modified in place), and a DuckDB connection.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const FLOE = process.env.FLOE ?? path.resolve('../../build/dev/floe');
/** The test-only program that writes Parquet files with floe's writer (tests/interop/gen_parquet.c). */
export const GEN_PARQUET = process.env.FLOE_GEN_PARQUET ?? path.resolve('../../build/dev/tests/gen_parquet');
/** The test-only program that appends rows to a REST catalog table (tests/interop/gen_rest_append.c). */
export const GEN_REST_APPEND = process.env.FLOE_BUILD_DIR
  ? path.join(process.env.FLOE_BUILD_DIR, 'tests', 'gen_rest_append')
  : path.resolve('../../build/dev/tests/gen_rest_append');
export const SHARED_FIXTURES = process.env.FLOE_SHARED_FIXTURES ?? path.resolve('../../../shared/fixtures');

/** A fresh temporary directory, removed when the test ends (pass the node:test context). */
export function tempDir(t, prefix = 'floe-interop-') {
  const dir = mkdtempSync(path.join(process.env.TMPDIR ?? tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Copy ../shared/fixtures/<rel> into `dir` and return the copy's path. */
export function copyFixture(rel, dir) {
  const dst = path.join(dir, path.basename(rel));
  cpSync(path.join(SHARED_FIXTURES, rel), dst, { recursive: true });
  return dst;
}

/** Run floe with arguments; returns { status, stdout, stderr }. */
export function floe(args, opts = {}) {
  const r = spawnSync(FLOE, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A DuckDB in-memory connection; closed when the test ends. */
export async function duckdb(t) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  t.after(() => { conn.closeSync?.(); instance.closeSync?.(); });
  return conn;
}

/** Rows of a DuckDB query as plain objects. */
export async function query(conn, sql) {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

/**
 * Start `floe server` on a free port with its data in a temporary directory; stopped (SIGTERM)
 * when the test ends. Returns { base: 'http://127.0.0.1:PORT', dir, warehouse, log() }.
 */
export async function startServer(t, extraArgs = []) {
  const dir = tempDir(t);
  const portFile = path.join(dir, 'port');
  const proc = spawn(FLOE, ['server', '--data-dir', path.join(dir, 'data'), '--listen',
    '127.0.0.1:0', '--port-file', portFile, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  t.after(async () => { proc.kill('SIGTERM'); await exited; });
  for (let i = 0; i < 200 && !existsSync(portFile); i++) {
    await sleep(50);
  }
  assert.ok(existsSync(portFile), `floe server did not start:\n${log}`);
  const port = Number(readFileSync(portFile, 'utf8'));
  return { dir, warehouse: path.join(dir, 'data', 'warehouse', 'default'),
    base: `http://127.0.0.1:${port}`, log: () => log };
}

/**
 * Make fetch() serve absolute local paths and file:// URLs from disk (HEAD and single byte
 * ranges, as hyparquet and icebird ask for), so readers built for HTTP read tables whose
 * metadata records local paths. Restored when the test ends.
 */
export function fetchLocalFiles(t) {
  const real = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input.url;
    if (!url.startsWith('/') && !url.startsWith('file://')) return real(input, init);
    const file = url.startsWith('file://') ? new URL(url).pathname : url;
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) return new Response(null, { status: 404, statusText: 'Not Found' });
    if ((init.method ?? 'GET') === 'HEAD') {
      return new Response(null, { status: 200, headers: { 'content-length': String(st.size) } });
    }
    const range = new Headers(init.headers).get('range');
    const m = range && /^bytes=(\d+)-(\d*)$/.exec(range);
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] !== '' ? Math.min(Number(m[2]) + 1, st.size) : st.size;
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(Math.max(0, end - start));
      await fh.read(buf, 0, buf.length, start);
      return new Response(buf, { status: m ? 206 : 200,
        headers: { 'content-length': String(buf.length) } });
    } finally {
      await fh.close();
    }
  };
  t.after(() => { globalThis.fetch = real; });
}

/**
 * The CreateTableRequest of `items`, the table shape gen_rest_append writes: id long (required),
 * name string, cat string, partitioned by identity(cat); with table `properties`.
 */
export function itemsTable(properties = {}) {
  return {
    name: 'items',
    schema: { type: 'struct', fields: [
      { id: 1, name: 'id', type: 'long', required: true },
      { id: 2, name: 'name', type: 'string', required: false },
      { id: 3, name: 'cat', type: 'string', required: false },
    ] },
    'partition-spec': { 'spec-id': 0, fields: [
      { 'source-id': 3, 'field-id': 1000, name: 'cat', transform: 'identity' }] },
    properties,
  };
}
