// SPDX-License-Identifier: Apache-2.0
// Read-back check of bench/optimizing/compact.sh: DuckDB reads every Parquet file under each
// DIR given and prints one line per DIR of aggregates over all the rows (count, sums, distinct
// ids, non-null counts, bounds) and the number of row groups, so the script can compare a
// compaction's output with its input. Usage: node duckdb_check.mjs DIR...
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/interop/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
for (const dir of process.argv.slice(2)) {
  const files = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.parquet')).sort()
    .map((f) => `'${path.join(dir, f)}'`).join(', ');
  const agg = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS rows,
      count(DISTINCT event_id)::BIGINT AS distinct_ids, sum(event_id)::BIGINT AS id_sum,
      sum(user_id)::HUGEINT::VARCHAR AS user_sum, sum(amount)::VARCHAR AS amount_sum,
      count(amount)::BIGINT AS amounts, round(sum(score), 3)::VARCHAR AS score_sum,
      count_if(is_mobile)::BIGINT AS mobile, count(payload)::BIGINT AS payloads,
      sum(length(payload))::BIGINT AS payload_len, min(event_ts)::VARCHAR AS ts_min,
      max(event_ts)::VARCHAR AS ts_max, count(DISTINCT event_type || country)::BIGINT AS type_country
    FROM read_parquet([${files}])`);
  const rg = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM
      (SELECT DISTINCT file_name, row_group_id FROM parquet_metadata([${files}]))`);
  const a = agg.getRowObjectsJson()[0];
  console.log(`${JSON.stringify(a)} row_groups=${rg.getRowObjectsJson()[0].n}`);
}
