// SPDX-License-Identifier: Apache-2.0
// Generate the input of bench/parquet/merge.sh: FILES small Parquet files of ROWS rows each, the
// shape of a streaming ingest table before compaction (DuckDB's defaults: snappy, 122880-row
// groups). Columns: int64 ids, a timestamp, low-cardinality strings, a decimal, a double, a
// boolean and a payload string. Usage: node gen_merge_input.mjs DIR [FILES] [ROWS]
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/interop/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [dir, files = '200', rows = '50000'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node gen_merge_input.mjs DIR [FILES] [ROWS]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
const n = Number(rows);
for (let f = 0; f < Number(files); f++) {
  const base = f * n;
  const out = path.join(dir, `part-${String(f).padStart(5, '0')}.parquet`);
  await conn.run(`COPY (
    SELECT r::BIGINT AS event_id,
           (hash(r * 7) % 5000000)::BIGINT AS user_id,
           TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_microseconds((r * 1733)::BIGINT) AS event_ts,
           ['click', 'view', 'purchase', 'signup', 'logout', 'search'][(1 + hash(r) % 6)::BIGINT] AS event_type,
           ['US', 'DE', 'FR', 'JP', 'BR', 'IN', 'GB', 'CA', 'AU', 'ES'][(1 + hash(r + 1) % 10)::BIGINT] AS country,
           CASE WHEN hash(r + 2) % 10 = 0 THEN NULL ELSE ((hash(r + 3) % 1000000) / 100)::DECIMAL(18,2) END AS amount,
           (hash(r + 4) % 100000) / 1000.0 AS score,
           hash(r + 5) % 3 = 0 AS is_mobile,
           CASE WHEN hash(r + 6) % 20 = 0 THEN NULL
                ELSE 'session=' || md5(r::VARCHAR) || ';ua=Mozilla/5.0 (' ||
                     ['X11; Linux x86_64', 'Macintosh', 'Windows NT 10.0', 'iPhone'][(1 + hash(r + 7) % 4)::BIGINT] || ')'
           END AS payload
    FROM (SELECT ${base} + i AS r FROM range(${n}) t(i))
  ) TO '${out}' (FORMAT parquet)`);
}
console.log(`wrote ${files} files of ${rows} rows to ${dir}`);
