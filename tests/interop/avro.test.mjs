// SPDX-License-Identifier: Apache-2.0
// Avro interop: files floe writes are read by avsc (every codec, every type, with the header
// schema's field-id/element-id/key-id/value-id attributes intact) and by icebird; files avsc
// writes (null, deflate, snappy with its CRC) are read by `floe avro cat`. Values are compared
// in floe's canonical JSON (src/value), computed here independently from the Avro schema.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import avsc from 'avsc';
import { snappyUncompress } from 'hyparquet';
import { avroMetadata, avroRead } from 'icebird';
import { floe, tempDir } from './lib.mjs';

const BUILD = process.env.FLOE_BUILD_DIR ?? path.resolve('../../build/dev');
const GEN_AVRO = path.join(BUILD, 'tests', 'gen_avro');
const CODECS = ['null', 'deflate', 'snappy', 'zstandard'];

// ---- avsc set-up: 64-bit longs as BigInt, wrapped unions, snappy and zstandard codecs ----

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

// Every long, also the object form {"type": "long", "logicalType": ...}, as a BigInt; logical
// types stay uninterpreted (the test computes their canonical text itself).
function avscType(schema) {
  return avsc.Type.forSchema(schema, {
    wrapUnions: true,
    typeHook: (s) => (s === 'long' || s?.type === 'long' ? longType : undefined),
  });
}

function readVarint(buf) {
  let v = 0;
  let shift = 0;
  for (let i = 0; ; i++) {
    const b = buf[i];
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
    shift += 7;
  }
}

function crc32be(data) {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlib.crc32(data) >>> 0);
  return out;
}

// Avro's snappy framing: a raw snappy block, then the CRC32 of the uncompressed data.
function snappyDecode(buf, cb) {
  try {
    const data = buf.subarray(0, buf.length - 4);
    const out = new Uint8Array(readVarint(data));
    snappyUncompress(data, out);
    if (!crc32be(out).equals(buf.subarray(buf.length - 4))) throw new Error('snappy CRC mismatch');
    cb(null, Buffer.from(out));
  } catch (err) {
    cb(err);
  }
}

// A valid snappy block made of literals only (the format allows it; we only need correctness).
function snappyEncode(buf, cb) {
  const parts = [];
  let n = buf.length;
  const len = [];
  do {
    len.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  parts.push(Buffer.from(len));
  for (let i = 0; i < buf.length; i += 60) {
    const chunk = buf.subarray(i, i + 60);
    parts.push(Buffer.from([(chunk.length - 1) << 2]), chunk);
  }
  parts.push(crc32be(buf));
  cb(null, Buffer.concat(parts));
}

async function zstdDecode(buf, cb) {
  try {
    const { decompress } = await import('fzstd');
    cb(null, Buffer.from(decompress(buf)));
  } catch (err) {
    cb(err);
  }
}

const decoderCodecs = {
  null: (buf, cb) => cb(null, buf),
  deflate: zlib.inflateRaw,
  snappy: snappyDecode,
  zstandard: zstdDecode,
};

function avscRead(file) {
  return new Promise((resolve, reject) => {
    const records = [];
    let header = null;
    avsc
      .createFileDecoder(file, { codecs: decoderCodecs, parseHook: (schema) => avscType(schema) })
      .on('metadata', (type, codec, h) => {
        header = { codec, meta: h.meta };
      })
      .on('data', (r) => records.push(r))
      .on('error', reject)
      .on('end', () => resolve({ header, records }));
  });
}

// What avsc.createFileEncoder does (a BlockEncoder piped into a file), kept in the open so the
// test can wait for the file to be closed and can give the header the schema's JSON as written
// (our BigInt long type would otherwise export plain "long" without the logical types).
function avscWrite(file, schema, records, codec, metadata) {
  return new Promise((resolve, reject) => {
    const enc = new avsc.streams.BlockEncoder(avscType(schema), {
      codec,
      codecs: { null: (b, cb) => cb(null, b), deflate: zlib.deflateRaw, snappy: snappyEncode },
      metadata,
      blockSize: 512,
    });
    enc._schema = schema; // avsc 5.7 writes this into the header when set
    const out = createWriteStream(file);
    enc.on('error', reject);
    out.on('error', reject);
    out.on('close', resolve);
    enc.pipe(out);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

// ---- Canonical JSON (src/value/value.h), computed from the Avro schema ----

function namedTypes(schema) {
  const named = new Map();
  const walk = (s, ns) => {
    if (Array.isArray(s)) return s.forEach((b) => walk(b, ns));
    if (typeof s !== 'object' || s === null) return;
    if (['record', 'error', 'enum', 'fixed'].includes(s.type)) {
      const space = s.name.includes('.') ? s.name.slice(0, s.name.lastIndexOf('.')) : s.namespace ?? ns;
      const full = s.name.includes('.') || !space ? s.name : `${space}.${s.name}`;
      named.set(full, s);
      named.set(full.slice(full.lastIndexOf('.') + 1), s);
      (s.fields ?? []).forEach((f) => walk(f.type, space));
    } else if (s.type === 'array') walk(s.items, ns);
    else if (s.type === 'map') walk(s.values, ns);
    else if (typeof s.type === 'object') walk(s.type, ns);
  };
  walk(schema, undefined);
  return named;
}

const hex = (b) => Buffer.from(b).toString('hex');

function bigFromBE(b) {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b.length && b[0] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

function decimalText(v, scale) {
  const neg = v < 0n;
  let s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  if (scale > 0) s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  return JSON.stringify((neg ? '-' : '') + s);
}

function floorDiv(a, b) {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

const UNIT = { millis: 1000n, micros: 1000000n, nanos: 1000000000n };

function clock(secOfDay, frac, unit) {
  const p = (n, w) => String(n).padStart(w, '0');
  const h = secOfDay / 3600n;
  const m = (secOfDay / 60n) % 60n;
  const s = secOfDay % 60n;
  const digits = unit === 'nanos' ? p(frac, 9) : p(unit === 'millis' ? frac * 1000n : frac, 6);
  return `${p(h, 2)}:${p(m, 2)}:${p(s, 2)}.${digits}`;
}

function dayText(days) {
  return new Date(Number(days) * 86400000).toISOString().slice(0, 10);
}

function timestampText(v, unit, utc) {
  const per = UNIT[unit];
  const secs = floorDiv(v, per);
  const frac = v - secs * per;
  const days = floorDiv(secs, 86400n);
  const sod = secs - days * 86400n;
  return JSON.stringify(`${dayText(days)}T${clock(sod, frac, unit)}${utc ? '+00:00' : ''}`);
}

function uuidText(b) {
  const h = hex(b);
  return JSON.stringify(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
}

function float32Text(x) {
  x = Math.fround(x);
  if (Number.isNaN(x)) return '"NaN"';
  if (!Number.isFinite(x)) return x > 0 ? '"Infinity"' : '"-Infinity"';
  if (Object.is(x, -0)) return '-0';
  for (let p = 1; p <= 9; p++) {
    const s = Number(x.toPrecision(p));
    if (Math.fround(s) === x) return String(s);
  }
  return String(x);
}

function doubleText(x) {
  if (Number.isNaN(x)) return '"NaN"';
  if (!Number.isFinite(x)) return x > 0 ? '"Infinity"' : '"-Infinity"';
  return Object.is(x, -0) ? '-0' : String(x);
}

function makeCanon(schema) {
  const named = namedTypes(schema);
  const resolve = (s) => (typeof s === 'string' && named.has(s) ? named.get(s) : s);
  const branchName = (b) => {
    b = resolve(b);
    if (typeof b === 'string') return b;
    if (['record', 'error', 'enum', 'fixed'].includes(b.type)) return b.name;
    return typeof b.type === 'string' ? b.type : branchName(b.type);
  };
  const canon = (v, s) => {
    s = resolve(s);
    if (Array.isArray(s)) {
      if (v === null) return 'null';
      const [key] = Object.keys(v);
      const branch = s.find((b) => key === branchName(b) || key.endsWith(`.${branchName(b)}`));
      assert.ok(branch, `no union branch for ${key}`);
      return canon(v[key], branch);
    }
    const t = typeof s === 'string' ? s : s.type;
    const lt = typeof s === 'object' ? s.logicalType : undefined;
    if (typeof t === 'object') return canon(v, t);
    switch (lt) {
      case 'decimal':
        if (s.precision <= 38 && (s.scale ?? 0) <= s.precision) return decimalText(bigFromBE(v), s.scale ?? 0);
        break;
      case 'uuid':
        return t === 'string' ? JSON.stringify(v.toLowerCase()) : uuidText(v);
      case 'date':
        return JSON.stringify(dayText(v));
      case 'time-millis':
        return JSON.stringify(clock(BigInt(Math.floor(v / 1000)), BigInt(v % 1000), 'millis'));
      case 'time-micros':
        return JSON.stringify(clock(v / 1000000n, v % 1000000n, 'micros'));
      case 'timestamp-millis':
      case 'timestamp-micros':
      case 'timestamp-nanos':
      case 'local-timestamp-millis':
      case 'local-timestamp-micros':
      case 'local-timestamp-nanos': {
        const unit = lt.slice(lt.lastIndexOf('-') + 1);
        const utc = s['adjust-to-utc'] ?? !lt.startsWith('local-');
        return timestampText(v, unit, utc);
      }
      case 'map':
        if (t === 'array') {
          const kv = resolve(s.items);
          return `[${v.map((e) => `{"key":${canon(e[kv.fields[0].name], kv.fields[0].type)},"value":${canon(e[kv.fields[1].name], kv.fields[1].type)}}`).join(',')}]`;
        }
        break;
      default:
        break;
    }
    switch (t) {
      case 'null':
        return 'null';
      case 'boolean':
        return v ? 'true' : 'false';
      case 'int':
        return String(v);
      case 'long':
        return v.toString();
      case 'float':
        return float32Text(v);
      case 'double':
        return doubleText(v);
      case 'bytes':
      case 'fixed':
        return JSON.stringify(hex(v));
      case 'string':
      case 'enum':
        return JSON.stringify(v);
      case 'array':
        return `[${v.map((x) => canon(x, s.items)).join(',')}]`;
      case 'map':
        return `[${Object.entries(v).map(([k, x]) => `{"key":${JSON.stringify(k)},"value":${canon(x, s.values)}}`).join(',')}]`;
      case 'record':
      case 'error':
        return `{${s.fields.map((f) => `${JSON.stringify(f.name)}:${canon(v[f.name], f.type)}`).join(',')}}`;
      default:
        throw new Error(`unknown type ${JSON.stringify(s)}`);
    }
  };
  return (v) => canon(v, schema);
}

// Every record field has a field-id; lists carry element-id; maps key-id and value-id.
function checkIds(s, named = namedTypes(s), seen = new Set()) {
  if (typeof s === 'string') {
    if (named.has(s) && !seen.has(s)) {
      seen.add(s);
      checkIds(named.get(s), named, seen);
    }
    return;
  }
  if (Array.isArray(s)) return s.forEach((b) => checkIds(b, named, seen));
  if (s.type === 'record') {
    for (const f of s.fields) {
      assert.ok(Number.isInteger(f['field-id']), `field ${f.name} of ${s.name} has no field-id`);
      checkIds(f.type, named, seen);
    }
  } else if (s.type === 'array') {
    if (s.logicalType !== 'map') assert.ok(Number.isInteger(s['element-id']), 'array without element-id');
    checkIds(s.items, named, seen);
  } else if (s.type === 'map') {
    assert.ok(Number.isInteger(s['key-id']) && Number.isInteger(s['value-id']), 'map without key-id/value-id');
    checkIds(s.values, named, seen);
  } else if (typeof s.type === 'object') checkIds(s.type, named, seen);
}

function generate(t) {
  const dir = tempDir(t, 'floe-avro-');
  const r = spawnSync(GEN_AVRO, [dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

const lines = (text) => text.split('\n').filter((l) => l.length > 0);

// ---- (1) floe writes, avsc reads ----

test('avsc reads floe-written files with every codec, values and header attributes intact', async (t) => {
  const dir = generate(t);
  for (const base of ['manifest', 'all-types']) {
    const schemaText = readFileSync(path.join(dir, `${base}.schema.json`), 'utf8');
    const schema = JSON.parse(schemaText);
    const expected = lines(readFileSync(path.join(dir, `${base}.jsonl`), 'utf8'));
    const canon = makeCanon(schema);
    for (const codec of CODECS) {
      const file = path.join(dir, `${base}-${codec}.avro`);
      const { header, records } = await avscRead(file);
      assert.equal(header.codec, codec);
      // The schema reached the file byte for byte, with every Iceberg id attribute.
      const written = header.meta['avro.schema'].toString();
      assert.equal(written, schemaText);
      checkIds(JSON.parse(written));
      assert.equal(records.length, expected.length, `${file}: record count`);
      records.forEach((r, i) => assert.equal(canon(r), expected[i], `${file}: record ${i}`));
      // floe reads its own file the same way.
      const cat = floe(['avro', 'cat', file]);
      assert.equal(cat.status, 0, cat.stderr);
      assert.deepEqual(lines(cat.stdout), expected);
      if (base === 'manifest') {
        assert.equal(header.meta['format-version'].toString(), '2');
        assert.equal(header.meta.content.toString(), 'data');
        assert.equal(JSON.parse(header.meta['partition-spec'].toString())[0]['field-id'], 1000);
      }
    }
  }
});

// ---- (2) avsc writes, floe reads ----

const SUITS = ['SPADES', 'HEARTS', 'CLUBS'];

function beBytes(v, width) {
  const out = Buffer.alloc(width);
  let x = BigInt.asUintN(8 * width, v);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function minimalBE(v) {
  for (let w = 1; ; w++) {
    if (v >= -(1n << BigInt(8 * w - 1)) && v < 1n << BigInt(8 * w - 1)) return beBytes(v, w);
  }
}

function avscRecord(i) {
  const big = BigInt(i);
  return {
    n: null,
    b: i % 2 === 0,
    i: i % 2 ? -2147483648 : 2147483647 - i,
    l: -1234567890123456789n - big,
    f: 0.1 + i,
    d: i % 2 ? -0 : Math.PI * (i + 1),
    by: Buffer.from([0, i, 255, 10]),
    s: `avsc ${i} "quoted" \u00e9\u{1F407}`,
    e: SUITS[i % 3],
    fx: Buffer.from(`wxy${String.fromCharCode(97 + i)}`),
    arr: [-(2n ** 63n), big, 2n ** 63n - 1n],
    m: { alpha: { int: i }, beta: null },
    u: i % 3 === 0 ? null : i % 3 === 1 ? { string: 'branch' } : { long: -9007199254740993n - big },
    dec: minimalBE(i % 2 ? -12345n - big : 99999999n),
    decf: beBytes(-12345678901234567800n - big, 9),
    uuid: `123E4567-E89B-12D3-A456-42661417400${i}`,
    uuidf: Buffer.from(`0123456789abcde${i}`),
    date: -1 + 19723 * i,
    tms: 45296789 + i,
    tus: 45296789012n + big,
    tsms: 1704067200123n + big,
    tsus: -1704067200123456n - big,
    tsns: 1704067200123456789n + big,
    lts: -1000000n - big,
    kv: [
      { key: 7, value: { string: 'seven' } },
      { key: -1, value: null },
    ],
    rec: { suit: SUITS[(i + 1) % 3], opt: i % 2 ? { 'floe.test.F4': Buffer.from('abcd') } : null },
  };
}

test('floe avro cat reads avsc-written files (null, deflate, snappy with CRC)', async (t) => {
  const dir = generate(t);
  const schema = JSON.parse(readFileSync(path.join(dir, 'all-types.schema.json'), 'utf8'));
  const canon = makeCanon(schema);
  const records = Array.from({ length: 9 }, (_, i) => avscRecord(i));
  const expected = records.map(canon);
  for (const codec of ['null', 'deflate', 'snappy']) {
    const file = path.join(dir, `avsc-${codec}.avro`);
    await avscWrite(file, schema, records, codec, { writer: Buffer.from('avsc') });
    const cat = floe(['avro', 'cat', file]);
    assert.equal(cat.status, 0, cat.stderr);
    assert.deepEqual(lines(cat.stdout), expected, codec);
    const meta = floe(['avro', 'meta', file]);
    assert.equal(meta.status, 0, meta.stderr);
    const m = JSON.parse(meta.stdout);
    assert.equal(m.codec, codec);
    assert.equal(m.metadata.writer, 'avsc');
    assert.equal(m.schema.name, 'all_types');
    // --limit stops early.
    const two = floe(['avro', 'cat', '--limit', '2', file]);
    assert.deepEqual(lines(two.stdout), expected.slice(0, 2));
  }
});

test('floe avro reports bad files and bad usage', (t) => {
  const dir = tempDir(t, 'floe-avro-');
  const bad = path.join(dir, 'bad.avro');
  const str = (x) => [Buffer.from([2 * x.length]), Buffer.from(x)];
  writeFileSync(bad, Buffer.concat([
    Buffer.from('Obj\x01'), Buffer.from([4]), ...str('avro.schema'), ...str('"int"'),
    ...str('avro.codec'), ...str('xz'), Buffer.from([0]), Buffer.alloc(16),
  ]));
  const r = floe(['avro', 'cat', bad]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `floe: ${bad}: unsupported avro codec 'xz'\n`);
  const missing = floe(['avro', 'meta', path.join(dir, 'nope.avro')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^floe: .*nope\.avro: .*No such file or directory/);
  assert.equal(floe(['avro']).status, 2);
  assert.equal(floe(['avro', 'dump', bad]).status, 2);
  assert.equal(floe(['avro', 'cat']).status, 2);
  assert.equal(floe(['avro', 'meta', '--limit', '1', bad]).status, 2);
  assert.equal(floe(['avro', 'cat', '--limit', 'x', bad]).status, 2);
  assert.equal(floe(['avro', 'cat', bad, bad]).status, 2);
  assert.equal(floe(['avro', '--help']).status, 0);
});

// ---- (3) icebird reads a floe-written manifest ----

test('icebird reads floe-written manifests', (t) => {
  const dir = generate(t);
  const expected = lines(readFileSync(path.join(dir, 'manifest.jsonl'), 'utf8')).map((l) =>
    // Keep big integers exact: quote every long-looking number before parsing.
    JSON.parse(l.replace(/:(-?\d{16,})/g, ':"$1"')),
  );
  for (const codec of ['null', 'deflate']) {
    const buf = readFileSync(path.join(dir, `manifest-${codec}.avro`));
    const reader = { view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), offset: 0 };
    const { metadata, syncMarker } = avroMetadata(reader);
    assert.equal(metadata['format-version'], '2');
    assert.equal(metadata.schema['schema-id'], 0);
    const rows = avroRead({ reader, metadata, syncMarker });
    assert.equal(rows.length, expected.length);
    rows.forEach((row, i) => {
      const want = expected[i];
      assert.equal(row.status, want.status);
      assert.equal(String(row.snapshot_id), want.snapshot_id);
      assert.equal(row.sequence_number ?? null, want.sequence_number === null ? null : BigInt(want.sequence_number));
      const df = row.data_file;
      assert.equal(df.file_path, want.data_file.file_path);
      assert.equal(Number(df.record_count), want.data_file.record_count);
      assert.equal(df.partition.id_bucket, want.data_file.partition.id_bucket);
      assert.equal(df.partition.ts_day.toISOString().slice(0, 10), want.data_file.partition.ts_day);
      assert.deepEqual(
        df.column_sizes.map((e) => [e.key, Number(e.value)]),
        want.data_file.column_sizes.map((e) => [e.key, e.value]),
      );
      assert.equal(hex(df.lower_bounds[0].value), want.data_file.lower_bounds[0].value);
      assert.deepEqual(df.split_offsets.map(Number), want.data_file.split_offsets);
    });
  }
});
