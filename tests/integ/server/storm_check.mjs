// SPDX-License-Identifier: Apache-2.0
// Checks a table after commit_storm.mjs (plain Node, no packages):
//
//   node storm_check.mjs LOAD_RESULT_JSON STORM_RESULT_JSON CLIENTS COMMITS [--exact]
//
// LOAD_RESULT_JSON is the server's LoadTableResult for the table. Always: every snapshot that
// was answered 200 is in the table; the table holds no snapshot nobody committed; main's
// parent chain passes through every snapshot (no append was lost by an overwrite); sequence
// numbers are 1..n without gaps; the metadata file's text parses. With --exact (no server was
// killed): exactly CLIENTS * COMMITS snapshots, no error, and property c<i> = COMMITS - 1 for
// every client. Prints "ok <n> snapshots" or the problems, and exits 1 on any.
import { readFileSync } from 'node:fs';

const [loadFile, stormFile, clientsArg, commitsArg, ...flags] = process.argv.slice(2);
const exact = flags.includes('--exact');
const clients = Number(clientsArg);
const commits = Number(commitsArg);
const load = JSON.parse(readFileSync(loadFile, 'utf8'));
const storm = JSON.parse(readFileSync(stormFile, 'utf8'));
const m = load.metadata;
const problems = [];

const snaps = new Map((m.snapshots ?? []).map((s) => [s['snapshot-id'], s]));
const acked = new Set(storm.committed);
const possible = new Set([...storm.committed, ...storm.landed, ...storm.unknown]);
for (const id of acked) {
  if (!snaps.has(id)) problems.push(`snapshot ${id} was answered 200 but is not in the table`);
}
for (const id of snaps.keys()) {
  if (!possible.has(id)) problems.push(`snapshot ${id} is in the table but nobody committed it`);
}
// main's chain must reach every snapshot: appends are linear.
const chain = new Set();
for (let id = m['current-snapshot-id']; id !== undefined && id !== null && id !== -1;) {
  if (chain.has(id)) {
    problems.push(`cycle in the parent chain at ${id}`);
    break;
  }
  chain.add(id);
  id = snaps.get(id)?.['parent-snapshot-id'];
}
if (chain.size !== snaps.size) {
  problems.push(`main's history has ${chain.size} snapshots, the table ${snaps.size}`);
}
const seqs = [...snaps.values()].map((s) => s['sequence-number']).sort((a, b) => a - b);
seqs.forEach((s, i) => {
  if (s !== i + 1) problems.push(`sequence numbers are not 1..n: position ${i} holds ${s}`);
});
if (m['last-sequence-number'] !== snaps.size) {
  problems.push(`last-sequence-number ${m['last-sequence-number']} with ${snaps.size} snapshots`);
}
if (exact) {
  if (storm.errors.length > 0) problems.push(`client errors: ${storm.errors.slice(0, 5).join('; ')}`);
  if (storm.unknown.length > 0 || storm.landed.length > 0) {
    problems.push(`unexpected unknown/landed outcomes: ${JSON.stringify(storm)}`);
  }
  if (snaps.size !== clients * commits) {
    problems.push(`${snaps.size} snapshots, expected ${clients * commits}`);
  }
  for (let i = 0; i < clients; i++) {
    if (m.properties?.[`c${i}`] !== String(commits - 1)) {
      problems.push(`property c${i} is ${m.properties?.[`c${i}`]}, expected ${commits - 1}`);
    }
  }
}
if (problems.length > 0) {
  console.log(problems.slice(0, 20).join('\n'));
  process.exit(1);
}
console.log(`ok ${snaps.size} snapshots, ${storm.conflicts} conflicts retried`);
