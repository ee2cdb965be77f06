// SPDX-License-Identifier: Apache-2.0
// The DuckDB side of bench/parquet/merge.sh: merge every Parquet file of DIR into OUT with
// COPY (SELECT * FROM read_parquet([...])) TO OUT (FORMAT parquet, COMPRESSION zstd) on one
// thread, and print the COPY's own wall time (node start-up excluded) and the output's rows.
// Usage: node duckdb_merge.mjs DIR OUT
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/interop/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [dir, out] = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()
  .map((f) => `'${path.join(dir, f)}'`);
const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
await conn.run('SET threads=1');
const t0 = process.hrtime.bigint();
await conn.run(`COPY (SELECT * FROM read_parquet([${files.join(', ')}])) TO '${out}'
                (FORMAT parquet, COMPRESSION zstd)`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT n FROM read_parquet('${out}')`);
console.log(`copy_seconds=${secs.toFixed(3)} rows=${r.getRowObjectsJson()[0].n}`);
