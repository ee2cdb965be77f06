// SPDX-License-Identifier: Apache-2.0
// Decode the manifest files bench_avro wrote with avsc (the reference JavaScript Avro library),
// longs as BigInt so 64-bit values stay exact, and print entries per second.
//   node bench/avro/avsc_decode.mjs DIR
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.resolve('tests/interop/package.json'));
const avsc = require('avsc');

const longType = avsc.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: BigInt,
  toJSON: Number,
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
});
const hook = (schema) =>
  avsc.Type.forSchema(schema, { typeHook: (s) => (s === 'long' || s?.type === 'long' ? longType : undefined) });

const dir = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.avro')).sort().map((f) => path.join(dir, f));
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
const start = process.hrtime.bigint();
let entries = 0;
for (const f of files) {
  await new Promise((resolve, reject) => {
    avsc.createFileDecoder(f, { parseHook: hook })
      .on('data', () => entries++)
      .on('error', reject)
      .on('end', resolve);
  });
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`avsc    decode (all fields)    ${entries} entries in ${secs.toFixed(3)} s: ${(entries / secs).toFixed(0)} entries/s, ${(bytes / secs / 1e6).toFixed(1)} MB/s of file`);
