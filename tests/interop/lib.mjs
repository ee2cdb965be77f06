// SPDX-License-Identifier: Apache-2.0
// Shared helpers for interop tests: where floe is, temporary directories, running floe,
// copying shared fixtures (never modified in place), and a DuckDB connection.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const FLOE = process.env.FLOE ?? path.resolve('../../build/dev/floe');
/** The test-only program that writes Parquet files with floe's writer (tests/interop/gen_parquet.c). */
export const GEN_PARQUET = process.env.FLOE_GEN_PARQUET ?? path.resolve('../../build/dev/tests/gen_parquet');
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
