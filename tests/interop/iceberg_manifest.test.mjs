// SPDX-License-Identifier: Apache-2.0
// Iceberg manifest interop: manifests and manifest lists that floe writes (v1 and v2, data and
// deletes, deflate and null codecs) are read by avsc and icebird with the field-id attributes of
// the header schema intact and the same entries floe meant to write; and every manifest and list
// of the shared fixture tables (written by Spark, the Java API, PyIceberg, Athena) reads in floe
// exactly as avsc decodes it. Fields are matched by field id, never by name, and compared in a
// reader-neutral form (tests/interop/gen_manifest.c): 64-bit integers as strings, bytes as hex.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import avsc from 'avsc';
import { avroMetadata, avroRead } from 'icebird';
import { copyFixture, SHARED_FIXTURES, tempDir } from './lib.mjs';

const BUILD = process.env.FLOE_BUILD_DIR ?? path.resolve('../../build/dev');
const GEN_MANIFEST = process.env.FLOE_GEN_MANIFEST ?? path.join(BUILD, 'tests', 'gen_manifest');

function run(args) {
  const r = spawnSync(GEN_MANIFEST, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `gen_manifest ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const gen = (args) => JSON.parse(run(args));
/** One JSON object per file, from one run over many files. */
const genEach = (cmd, files) => run([cmd, ...files]).trim().split('\n').map((l) => JSON.parse(l));

// ---- avsc: longs as BigInt (exact), unions of null and one type unwrapped ----

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

const codecs = { null: (b, cb) => cb(null, b), deflate: zlib.inflateRaw };

function avscRead(file) {
  return new Promise((resolve, reject) => {
    const records = [];
    let meta = null;
    avsc
      .createFileDecoder(file, {
        codecs,
        parseHook: (schema) =>
          avsc.Type.forSchema(schema, {
            typeHook: (s) => (s === 'long' || s?.type === 'long' ? longType : undefined),
          }),
      })
      .on('metadata', (type, codec, h) => {
        meta = { codec, meta: Object.fromEntries(Object.entries(h.meta).map(([k, v]) => [k, v.toString('utf8')])) };
      })
      .on('data', (r) => records.push(r))
      .on('error', reject)
      .on('end', () => resolve({ ...meta, records }));
  });
}

// ---- Walking the header schema by field id ----

function nonNull(t) {
  return Array.isArray(t) ? t.find((x) => x !== 'null') : t;
}

/** Every field id attribute Iceberg readers need: field-id on record fields, element-id on lists. */
function checkIds(t, where) {
  t = nonNull(t);
  if (typeof t !== 'object' || t === null) return 0;
  let n = 0;
  if (t.type === 'record') {
    for (const f of t.fields) {
      assert.ok(Number.isInteger(f['field-id']), `${where}.${f.name} has no field-id`);
      n += 1 + checkIds(f.type, `${where}.${f.name}`);
    }
  } else if (t.type === 'array') {
    if (t.logicalType !== 'map') {
      assert.ok(Number.isInteger(t['element-id']), `${where}[] has no element-id`);
    }
    n += checkIds(t.items, `${where}[]`);
  } else if (t.type === 'map') {
    assert.ok(Number.isInteger(t['key-id']) && Number.isInteger(t['value-id']), `${where}{} ids`);
    n += checkIds(t.values, `${where}{}`);
  }
  return n;
}

function field(rec, t, id) {
  const f = nonNull(t).fields.find((x) => x['field-id'] === id);
  if (!f) return { v: undefined, t: undefined };
  return { v: rec[f.name], t: nonNull(f.type) };
}

const str = (v) => (v === null || v === undefined ? null : String(v));
const hex = (b) => (b === null || b === undefined ? null : Buffer.from(b).toString('hex'));

function signedBig(buf) {
  let v = 0n;
  for (const b of buf) v = (v << 8n) | BigInt(b);
  if (buf.length > 0 && buf[0] & 0x80) v -= 1n << BigInt(8 * buf.length);
  return v;
}

function kvList(v, t, fmt) {
  if (v === null || v === undefined) return null;
  const rt = nonNull(nonNull(t).items);
  return v.map((kv) => [field(kv, rt, rt.fields[0]['field-id']).v, fmt(field(kv, rt, rt.fields[1]['field-id']).v)]);
}

function partValue(v, t) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) {
    return t?.logicalType === 'decimal' ? String(signedBig(v)) : hex(v);
  }
  return v;
}

function normFile(df, t) {
  const get = (id) => field(df, t, id);
  const part = get(102);
  const pt = nonNull(part.t);
  const list = (id, fmt) => {
    const { v } = get(id);
    return v === null || v === undefined ? null : v.map(fmt);
  };
  return {
    content: get(134).v ?? 0,
    file_path: get(100).v,
    file_format: get(101).v.toLowerCase(),
    partition: pt.fields.map((f) => partValue(part.v[f.name], nonNull(f.type))),
    record_count: str(get(103).v),
    file_size_in_bytes: str(get(104).v),
    column_sizes: kvList(get(108).v, get(108).t, str),
    value_counts: kvList(get(109).v, get(109).t, str),
    null_value_counts: kvList(get(110).v, get(110).t, str),
    nan_value_counts: kvList(get(137).v, get(137).t, str),
    lower_bounds: kvList(get(125).v, get(125).t, hex),
    upper_bounds: kvList(get(128).v, get(128).t, hex),
    key_metadata: hex(get(131).v),
    split_offsets: list(132, String),
    equality_ids: list(135, Number),
    sort_order_id: get(140).v ?? null,
    referenced_data_file: get(143).v ?? null,
  };
}

function normEntry(e, t) {
  const d = field(e, t, 2);
  return {
    status: field(e, t, 0).v,
    snapshot_id: str(field(e, t, 1).v),
    sequence_number: str(field(e, t, 3).v),
    file_sequence_number: str(field(e, t, 4).v),
    data_file: normFile(d.v, d.t),
  };
}

function normManifestFile(m, t) {
  const get = (id) => field(m, t, id);
  const out = {
    manifest_path: get(500).v,
    manifest_length: str(get(501).v),
    partition_spec_id: get(502).v,
    content: get(517).v ?? 0,
    sequence_number: str(get(515).v ?? 0),
    min_sequence_number: str(get(516).v ?? 0),
    added_snapshot_id: str(get(503).v),
  };
  if (get(504).v !== null && get(504).v !== undefined) {
    Object.assign(out, {
      added_files_count: get(504).v,
      existing_files_count: get(505).v,
      deleted_files_count: get(506).v,
      added_rows_count: str(get(512).v),
      existing_rows_count: str(get(513).v),
      deleted_rows_count: str(get(514).v),
    });
  }
  const parts = get(507);
  out.partitions =
    parts.v === null || parts.v === undefined
      ? null
      : parts.v.map((s) => {
          const st = nonNull(parts.t.items);
          const g = (id) => field(s, st, id).v;
          return {
            contains_null: g(509),
            contains_nan: g(518) ?? null,
            lower_bound: hex(g(510)),
            upper_bound: hex(g(511)),
          };
        });
  return out;
}

async function readManifest(file) {
  const { meta, records, codec } = await avscRead(file);
  const schema = JSON.parse(meta['avro.schema']);
  return { meta, codec, schema, records };
}

function icebirdRows(file) {
  const buf = readFileSync(file);
  const reader = { view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), offset: 0 };
  const { metadata, syncMarker } = avroMetadata(reader);
  return { metadata, rows: avroRead({ reader, metadata, syncMarker }) };
}

// ---- (1) floe writes, avsc and icebird read ----

test('avsc and icebird read floe-written manifests and manifest lists', async (t) => {
  const dir = tempDir(t);
  const want = gen(['write', dir]);
  assert.equal(want.manifests.length, 3);
  for (const m of want.manifests) {
    const file = path.join(dir, m.file);
    const { meta, codec, schema, records } = await readManifest(file);
    assert.equal(schema.name, 'manifest_entry');
    assert.ok(checkIds(schema, 'manifest_entry') > 20, `${m.file}: too few fields with ids`);
    assert.equal(codec, m.file === 'data-v2.avro' ? 'deflate' : 'null');
    // Java's header keys, which PyIceberg and Java readers look for.
    assert.equal(meta['format-version'], String(m.format_version));
    assert.equal(meta['partition-spec-id'], '1');
    assert.equal(meta['schema-id'], '1');
    assert.equal(JSON.parse(meta['partition-spec']).length, 3);
    assert.equal(JSON.parse(meta.schema)['schema-id'], 1);
    if (m.format_version >= 2) {
      assert.equal(meta.content, m.content === 1 ? 'deletes' : 'data');
    } else {
      assert.equal(meta.content, undefined);
    }
    assert.deepEqual(records.map((r) => normEntry(r, schema)), m.entries, m.file);

    const ib = icebirdRows(file);
    assert.equal(ib.rows.length, m.entries.length);
    ib.rows.forEach((row, i) => {
      const e = m.entries[i];
      assert.equal(row.status, e.status);
      assert.equal(String(row.snapshot_id), e.snapshot_id);
      assert.equal(row.data_file.file_path, e.data_file.file_path);
      assert.equal(String(row.data_file.record_count), e.data_file.record_count);
      assert.equal(row.data_file.partition.s, e.data_file.partition[2]);
      assert.equal(row.data_file.partition.id_bucket, e.data_file.partition[0]);
    });
  }
  for (const l of want.lists) {
    const file = path.join(dir, l.file);
    const { meta, schema, records } = await readManifest(file);
    assert.equal(schema.name, 'manifest_file');
    assert.ok(checkIds(schema, 'manifest_file') >= 14);
    assert.equal(meta['snapshot-id'], l.snapshot_id);
    assert.equal(meta['parent-snapshot-id'], l.parent_snapshot_id);
    assert.equal(meta['format-version'], String(l.format_version));
    assert.equal(meta['sequence-number'], l.format_version >= 2 ? '9' : undefined);
    assert.deepEqual(records.map((r) => normManifestFile(r, schema)), l.manifests, l.file);
    const ib = icebirdRows(file);
    assert.deepEqual(ib.rows.map((r) => r.manifest_path), l.manifests.map((x) => x.manifest_path));
  }
});

// ---- (2) third-party manifests: floe reads what avsc reads ----

function avroFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((f) => String(f).endsWith('.avro'))
    .map((f) => path.join(dir, String(f)))
    .sort();
}

test('floe reads every fixture manifest and manifest list as avsc does', async (t) => {
  const dir = tempDir(t);
  const tables = readdirSync(path.join(SHARED_FIXTURES, 'iceberg'));
  assert.ok(tables.length >= 8);
  let manifests = 0;
  let lists = 0;
  let entries = 0;
  const listFiles = [];
  const manifestFiles = [];
  for (const table of tables) {
    const copy = copyFixture(path.join('iceberg', table), dir);
    for (const file of avroFiles(copy)) {
      const read = await readManifest(file);
      (read.schema.name === 'manifest_file' ? listFiles : manifestFiles).push({ file, ...read });
    }
  }
  const gotLists = genEach('dump-list', listFiles.map((x) => x.file));
  listFiles.forEach(({ file, schema, records }, i) => {
    assert.deepEqual(gotLists[i].manifests, records.map((r) => normManifestFile(r, schema)), file);
    lists++;
  });
  const gotManifests = genEach('dump', manifestFiles.map((x) => x.file));
  manifestFiles.forEach(({ file, schema, records }, i) => {
    assert.deepEqual(gotManifests[i].entries, records.map((r) => normEntry(r, schema)), file);
    manifests++;
    entries += records.length;
  });
  // Every manifest list and manifest of the fixtures (see tests/unit/iceberg/test_manifest.c).
  assert.equal(lists, 17);
  assert.equal(manifests, 19);
  assert.equal(entries, 27);
});

// ---- (3) errors are reported, not crashed on ----

test('gen_manifest reports a truncated manifest as an error', (t) => {
  const dir = tempDir(t);
  gen(['write', dir]);
  const buf = readFileSync(path.join(dir, 'data-v2.avro'));
  const bad = path.join(dir, 'bad.avro');
  spawnSync('sh', ['-c', `head -c ${buf.length - 40} '${path.join(dir, 'data-v2.avro')}' > '${bad}'`]);
  const r = spawnSync(GEN_MANIFEST, ['dump', bad], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /gen_manifest: .*bad\.avro/);
});
