// SPDX-License-Identifier: Apache-2.0
// iceberg-js, an independent REST catalog client, writes tables through a real `floe server`:
// create (plain and staged + assert-create), commit schema, spec and property updates with
// requirements, the 409 a stale requirement gets, loads with ETags, register, rename and drop
// with purge. Every answer is also checked against the metadata file floe wrote.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { IcebergRestCatalog, getCurrentSchema } from 'iceberg-js';
import { startServer } from './lib.mjs';

const SCHEMA = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'ts', type: 'timestamptz', required: false },
    { id: 3, name: 'payload', type: { type: 'map', 'key-id': 4, key: 'string', 'value-id': 5,
      value: 'string', 'value-required': false }, required: false },
  ],
  'identifier-field-ids': [1],
};

/** The metadata file's contents. */
function readMeta(location) {
  return JSON.parse(readFileSync(location, 'utf8'));
}

test('iceberg-js creates, evolves and reloads a table through floe', async (t) => {
  const { base, warehouse } = await startServer(t);
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });
  const ns = { namespace: ['shop'] };
  const id = { namespace: ['shop'], name: 'orders' };
  await catalog.createNamespace(ns);

  const created = await catalog.createTableResult(ns, {
    name: 'orders',
    schema: SCHEMA,
    'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000,
      name: 'ts_day', transform: 'day' }] },
    properties: { owner: 'ana' },
  });
  assert.ok(created.etag, 'create answers an ETag');
  const m0 = created.metadata;
  assert.equal(created['metadata-location'].startsWith(`${warehouse}/shop/orders/metadata/00000-`),
    true);
  assert.deepEqual(readMeta(created['metadata-location']), m0);
  assert.equal(m0['format-version'], 2);
  assert.equal(m0.location, `${warehouse}/shop/orders`);
  assert.deepEqual(getCurrentSchema(m0).fields.map((f) => f.name), ['id', 'ts', 'payload']);
  assert.deepEqual(getCurrentSchema(m0)['identifier-field-ids'], [1]);
  assert.equal(m0['partition-specs'][0].fields[0].transform, 'day');
  assert.equal(m0.properties.owner, 'ana');
  assert.equal(await catalog.tableExists(id), true);
  assert.deepEqual((await catalog.listTables(ns)).identifiers, [id]);

  // Schema evolution as an engine sends it: guarded by the schema and column-id requirements.
  const evolved = await catalog.commitTable(id, {
    requirements: [
      { type: 'assert-table-uuid', uuid: m0['table-uuid'] },
      { type: 'assert-current-schema-id', 'current-schema-id': m0['current-schema-id'] },
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': m0['last-column-id'] },
    ],
    updates: [
      { action: 'add-schema', schema: { ...SCHEMA, 'schema-id': 1,
        fields: [...SCHEMA.fields, { id: 6, name: 'amount', type: 'decimal(12, 2)',
          required: false }] }, 'last-column-id': 6 },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'set-properties', updates: { 'write.format.default': 'parquet', tmp: 'x' } },
    ],
  });
  assert.equal(evolved['metadata-location'].includes('/metadata/00001-'), true);
  assert.equal(evolved.metadata['current-schema-id'], 1);
  assert.equal(evolved.metadata['last-column-id'], 6);
  assert.deepEqual(readMeta(evolved['metadata-location']), evolved.metadata);

  // The same requirements again are stale now: 409 CommitFailedException, nothing written.
  await assert.rejects(catalog.commitTable(id, {
    requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }],
    updates: [{ action: 'set-properties', updates: { late: 'yes' } }],
  }), (e) => {
    assert.equal(e.status, 409);
    assert.equal(e.icebergType, 'CommitFailedException');
    return true;
  });

  await catalog.commitTable(id, {
    requirements: [{ type: 'assert-default-spec-id', 'default-spec-id': 0 }],
    updates: [
      { action: 'add-spec', spec: { fields: [{ 'source-id': 1, name: 'id_bucket',
        transform: 'bucket[8]' }] } },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'remove-properties', removals: ['tmp'] },
    ],
  });

  // Load it back: what the commits did, and a conditional load with the ETag.
  const loaded = await catalog.loadTableResult(id);
  const m = loaded.metadata;
  assert.deepEqual(getCurrentSchema(m).fields.map((f) => [f.id, f.name]),
    [[1, 'id'], [2, 'ts'], [3, 'payload'], [6, 'amount']]);
  assert.equal(getCurrentSchema(m).fields[3].type, 'decimal(12, 2)');
  assert.equal(m['default-spec-id'], 1);
  assert.deepEqual(m['partition-specs'][1].fields.map((f) => [f['field-id'], f.transform]),
    [[1001, 'bucket[8]']]);
  assert.deepEqual(m.properties, { owner: 'ana', 'write.format.default': 'parquet' });
  assert.equal(m['metadata-log'].length, 2);
  assert.equal(await catalog.loadTableResult(id, { ifNoneMatch: loaded.etag }), null);
  assert.deepEqual(readMeta(loaded['metadata-location']), m);
});

test('iceberg-js stage-creates, registers, renames and purges through floe', async (t) => {
  const { base, warehouse } = await startServer(t);
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });
  const ns = { namespace: ['lake'] };
  await catalog.createNamespace(ns);

  // A staged create writes nothing; the commit with assert-create makes the table.
  const staged = await catalog.createTableResult(ns, { name: 'ctas', schema: SCHEMA,
    'stage-create': true });
  assert.equal(staged['metadata-location'] ?? null, null);
  const id = { namespace: ['lake'], name: 'ctas' };
  assert.equal(await catalog.tableExists(id), false);
  const s = staged.metadata;
  const done = await catalog.commitTable(id, {
    requirements: [{ type: 'assert-create' }],
    updates: [
      { action: 'assign-uuid', uuid: s['table-uuid'] },
      { action: 'upgrade-format-version', 'format-version': 2 },
      { action: 'add-schema', schema: s.schemas[0], 'last-column-id': s['last-column-id'] },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'add-spec', spec: s['partition-specs'][0] },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-sort-order', 'sort-order': s['sort-orders'][0] },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
      { action: 'set-location', location: s.location },
      { action: 'set-properties', updates: { created: 'by-ctas' } },
    ],
  });
  assert.equal(done.metadata['table-uuid'], s['table-uuid']);
  assert.equal((await catalog.loadTable(id)).properties.created, 'by-ctas');
  await assert.rejects(catalog.commitTable(id, { requirements: [{ type: 'assert-create' }],
    updates: [] }), (e) => e.status === 409 && e.icebergType === 'CommitFailedException');

  // Register the file under a second name, rename it, drop both (one with purge).
  const copy = await catalog.registerTableResult(ns, { name: 'copy',
    'metadata-location': done['metadata-location'] });
  assert.equal(copy.metadata['table-uuid'], s['table-uuid']);
  await catalog.renameTable({ source: { namespace: ['lake'], name: 'copy' },
    destination: { namespace: ['lake'], name: 'copy2' } });
  assert.equal(await catalog.tableExists({ namespace: ['lake'], name: 'copy' }), false);
  await catalog.dropTable({ namespace: ['lake'], name: 'copy2' });
  assert.ok(existsSync(done['metadata-location']), 'drop without purge keeps the files');
  await catalog.dropTable(id, { purge: true });
  assert.equal(existsSync(path.join(warehouse, 'lake', 'ctas')), false, 'purge removed the table');
  await assert.rejects(catalog.loadTable(id), (e) => e.status === 404 &&
    e.icebergType === 'NoSuchTableException');
});
