// SPDX-License-Identifier: Apache-2.0
// Benchmark input: a Parquet file of about 100 MB written by DuckDB, with the column types a
// lakehouse table typically has, and the single-threaded DuckDB baseline that aggregates over
// every column of it.
//
//   node gen.mjs write FILE ROWS CODEC     write the file
//   node gen.mjs scan FILE                 run the DuckDB aggregate (SET threads=1), print seconds
import { createRequire } from 'node:module';

// The DuckDB package is installed for the interop tests (scripts/install-deps.sh --test).
const require = createRequire(new URL('../../tests/interop/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const [cmd, file, rowsArg, codec] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
const lit = (s) => `'${s.replaceAll("'", "''")}'`;

if (cmd === 'write') {
  const rows = Number(rowsArg);
  await conn.run(`COPY (
    SELECT
      i AS id,
      (i * 7919) % 1000003 AS customer,
      (i % 97)::INTEGER AS region,
      CASE WHEN i % 10 = 0 THEN NULL ELSE (hash(i) % 1000000)::INTEGER END AS qty,
      (hash(i) % 100000000) / 100.0 AS price,
      ((hash(i + 1) % 1000000)::DECIMAL(18,2) / 100)::DECIMAL(18,2) AS amount,
      DATE '2020-01-01' + (i % 1500)::INTEGER AS day,
      make_timestamp(1600000000000000 + i * 1000003) AS ts,
      i % 3 = 0 AS flag,
      'customer-' || ((i * 31) % 50000) AS name,
      CASE WHEN i % 5 = 0 THEN NULL ELSE md5(i::VARCHAR) END AS token
    FROM range(${rows}) r(i)) TO ${lit(file)} (FORMAT parquet, COMPRESSION ${codec})`);
} else if (cmd === 'scan') {
  await conn.run('SET threads = 1');
  // Both sides read the file from the OS page cache on every run: no DuckDB in-memory copy.
  await conn.run('SET enable_external_file_cache = false');
  const sql = `SELECT sum(id), sum(customer), sum(region), sum(qty), sum(price), sum(amount), max(day),
                      max(ts), sum(flag::INT), sum(length(name)), sum(length(token))
               FROM read_parquet(${lit(file)})`;
  await conn.run(sql); // warm the page cache and DuckDB's code paths
  const t0 = process.hrtime.bigint();
  await conn.runAndReadAll(sql);
  const t1 = process.hrtime.bigint();
  console.log(`seconds=${(Number(t1 - t0) / 1e9).toFixed(3)}`);
} else {
  console.error('usage: node gen.mjs write FILE ROWS CODEC | scan FILE');
  process.exit(2);
}
