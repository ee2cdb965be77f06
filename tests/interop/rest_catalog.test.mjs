// SPDX-License-Identifier: Apache-2.0
// iceberg-js, an independent REST catalog client, drives namespaces through a real
// `floe server`: create (flat and nested), list (with parent and pages), exists, load, update
// properties and drop, plus the error types it surfaces. Table creation comes with the Iceberg
// library; here tables are only listed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { IcebergRestCatalog } from 'iceberg-js';
import { FLOE, startServer, tempDir } from './lib.mjs';

test('iceberg-js manages namespaces through floe', async (t) => {
  const { base } = await startServer(t);
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });

  await catalog.createNamespace({ namespace: ['sales'] }, { properties: { owner: 'ana' } });
  await catalog.createNamespace({ namespace: ['sales', 'eu'] });
  await catalog.createNamespace({ namespace: ['ops'] });
  await catalog.createNamespaceIfNotExists({ namespace: ['ops'] }); // 409 is swallowed

  const top = await catalog.listNamespaces();
  assert.deepEqual(top.namespaces.map((n) => n.namespace.join('.')), ['ops', 'sales']);
  const nested = await catalog.listNamespaces({ parent: { namespace: ['sales'] } });
  assert.deepEqual(nested.namespaces.map((n) => n.namespace), [['sales', 'eu']]);

  assert.equal(await catalog.namespaceExists({ namespace: ['sales', 'eu'] }), true);
  assert.equal(await catalog.namespaceExists({ namespace: ['nope'] }), false);

  const meta = await catalog.loadNamespaceMetadata({ namespace: ['sales'] });
  assert.deepEqual(meta.properties, { owner: 'ana' });
  const upd = await catalog.updateNamespaceProperties({ namespace: ['sales'] },
    { updates: { tier: 'gold' }, removals: ['owner', 'ghost'] });
  assert.deepEqual(upd, { updated: ['tier'], removed: ['owner'], missing: ['ghost'] });
  assert.deepEqual((await catalog.loadNamespaceMetadata({ namespace: ['sales'] })).properties,
    { tier: 'gold' });

  const tables = await catalog.listTables({ namespace: ['sales'] });
  assert.deepEqual(tables.identifiers, []);

  // Dropping a namespace that still has a child is a conflict with the right type.
  await assert.rejects(catalog.dropNamespace({ namespace: ['sales'] }), (e) => {
    assert.equal(e.status, 409);
    assert.equal(e.icebergType, 'NamespaceNotEmptyException');
    return true;
  });
  await assert.rejects(catalog.loadNamespaceMetadata({ namespace: ['nope'] }), (e) => {
    assert.equal(e.status, 404);
    assert.equal(e.icebergType, 'NoSuchNamespaceException');
    return true;
  });

  await catalog.dropNamespace({ namespace: ['sales', 'eu'] });
  await catalog.dropNamespace({ namespace: ['sales'] });
  await catalog.dropNamespace({ namespace: ['ops'] });
  assert.deepEqual((await catalog.listNamespaces()).namespaces, []);
});

test('iceberg-js pages through namespaces', async (t) => {
  const { base } = await startServer(t);
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  for (const n of names) {
    await catalog.createNamespace({ namespace: [n] });
  }
  const seen = [];
  let pageToken = '';
  let pages = 0;
  do {
    const page = await catalog.listNamespaces({ pageSize: 3, pageToken });
    seen.push(...page.namespaces.map((n) => n.namespace[0]));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken !== undefined && pages < 10);
  assert.deepEqual(seen, names);
  assert.equal(pages, 3);
});

test('iceberg-js with a bearer token from floe', async (t) => {
  const hash = spawnSync(FLOE, ['server', '--hash-secret'], { input: 'pw\n', encoding: 'utf8' })
    .stdout.trim();
  assert.match(hash, /^\$y\$/);
  const dir = tempDir(t);
  const config = path.join(dir, 'auth.yaml');
  writeFileSync(config, `auth:\n  enabled: true\n  clients:\n    - id: app\n      secret-hash: '${hash}'\n`);
  const { base } = await startServer(t, ['--config', config]);

  const anonymous = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default' });
  await assert.rejects(anonymous.listNamespaces(), (e) => e.status === 401);

  const res = await fetch(`${base}/v1/oauth/tokens`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'app',
      client_secret: 'pw', scope: 'catalog' }),
  });
  assert.equal(res.status, 200);
  const { access_token: token } = await res.json();
  const catalog = new IcebergRestCatalog({ baseUrl: base, catalogName: 'default',
    auth: { type: 'bearer', token } });
  await catalog.createNamespace({ namespace: ['secure'] });
  assert.deepEqual((await catalog.listNamespaces()).namespaces, [{ namespace: ['secure'] }]);
});
