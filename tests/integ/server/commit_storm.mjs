// SPDX-License-Identifier: Apache-2.0
// Concurrent committers for the server's concurrency tests (plain Node, no packages).
//
//   node commit_storm.mjs BASES TABLE CLIENTS COMMITS [--tolerate-down]
//
// BASES is a comma-separated list of server URLs (client i talks to BASES[i % n]), TABLE the
// REST path of the table ("/v1/namespaces/db/tables/t"). Each client makes COMMITS appends the
// way an engine does: load the table, then commit add-snapshot (a unique id, parent = main,
// the next sequence number) + set-snapshot-ref main + set-properties {"c<i>": "<k>"} under the
// requirement assert-ref-snapshot-id(main = what it loaded). A 409 CommitFailedException means
// another client won: it reloads and tries again. Every other answer is recorded as an error,
// except with --tolerate-down, where connection failures and 503s (a server being killed and
// restarted) are retried too.
//
// A client whose commit request got no answer (the server died) finds out on its next load:
// when the snapshot is in the table, the commit landed unacknowledged ("landed").
//
// Prints one JSON object: {"committed": [snapshot ids that got 200], "landed": [ids in the
// table without a 200], "conflicts": n, "retried_down": n, "errors": [messages], "unknown":
// [ids answered 5xx CommitStateUnknownException]}.
const [basesArg, table, clientsArg, commitsArg, ...flags] = process.argv.slice(2);
const bases = basesArg.split(',');
const clients = Number(clientsArg);
const commits = Number(commitsArg);
const tolerateDown = flags.includes('--tolerate-down');

const result = { committed: [], landed: [], conflicts: 0, retried_down: 0, errors: [], unknown: [] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(base, method, body) {
  const res = await fetch(base + table, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

async function client(i) {
  const base = bases[i % bases.length];
  for (let k = 0; k < commits; k++) {
    const id = (i + 1) * 1000000 + k + 1;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10000) {
        result.errors.push(`client ${i}: gave up on snapshot ${id}`);
        return;
      }
      let r;
      try {
        r = await call(base, 'GET');
        if (r.status !== 200) {
          if (tolerateDown && r.status >= 500) {
            result.retried_down++;
            await sleep(20);
            continue;
          }
          result.errors.push(`client ${i}: load answered ${r.status}: ${r.text.slice(0, 300)}`);
          return;
        }
        const m = r.json.metadata;
        if ((m.snapshots ?? []).some((s) => s['snapshot-id'] === id)) {
          result.landed.push(id);
          break;
        }
        const main = m.refs?.main?.['snapshot-id'] ?? null;
        const snapshot = {
          'snapshot-id': id,
          'sequence-number': m['last-sequence-number'] + 1,
          'timestamp-ms': Date.now(),
          'manifest-list': `${m.location}/metadata/snap-${id}.avro`,
          summary: { operation: 'append', 'added-records': '1' },
          'schema-id': m['current-schema-id'],
        };
        if (main !== null) snapshot['parent-snapshot-id'] = main;
        r = await call(base, 'POST', {
          requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': main }],
          updates: [
            { action: 'add-snapshot', snapshot },
            { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
            { action: 'set-properties', updates: { [`c${i}`]: String(k) } },
          ],
        });
      } catch (e) {
        if (tolerateDown) {
          result.retried_down++;
          await sleep(20);
          continue;
        }
        result.errors.push(`client ${i}: ${e.message}`);
        return;
      }
      if (r.status === 200) {
        result.committed.push(id);
        break;
      }
      const type = r.json?.error?.type;
      if (r.status === 409 && type === 'CommitFailedException') {
        result.conflicts++;
        continue;
      }
      if (r.status >= 500 && type === 'CommitStateUnknownException') {
        // The client cannot know; it must not retry blindly (the snapshot may be in).
        result.unknown.push(id);
        break;
      }
      if (tolerateDown && (r.status === 503 || r.status === 502)) {
        result.retried_down++;
        await sleep(20);
        continue;
      }
      result.errors.push(`client ${i}: commit answered ${r.status}: ${r.text.slice(0, 300)}`);
      return;
    }
  }
}

await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
process.stdout.write(JSON.stringify(result) + '\n');
