import { WebSocket } from 'ws';
import v8 from 'node:v8';
import { readFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import { WebConnectionWebSocket } from './dist/index.js';
import { createTestServer } from './test/server/index.mjs';
if (process.argv[2] === 'server') { const s = await createTestServer({ static: false, maxConnections: 5000 }); process.send(s.wsUrl); }
else {
  const child = fork(new URL(import.meta.url).pathname, ['server']);
  const url = await new Promise((r) => child.once('message', r));
  const summarize = () => {
    global.gc();
    const file = v8.writeHeapSnapshot('/tmp/h.heapsnapshot');
    const snap = JSON.parse(readFileSync(file, 'utf8'));
    const f = snap.snapshot.meta.node_fields; const types = snap.snapshot.meta.node_types[0];
    const n = f.length; const by = new Map();
    for (let i = 0; i < snap.nodes.length; i += n) {
      const type = types[snap.nodes[i]]; const name = snap.strings[snap.nodes[i + 1]]; const size = snap.nodes[i + 3];
      const key = `${type}:${type === 'object' || type === 'closure' ? name : ''}`;
      const e = by.get(key) ?? [0, 0]; e[0]++; e[1] += size; by.set(key, e);
    }
    return by;
  };
  const before = summarize();
  const N = 300; const keep = [];
  for (let i = 0; i < N; i++) { const s = new WebConnectionWebSocket({ url, WebSocket }); s.tryConnect(true, 'g', 'u' + i); keep.push(s); }
  while (keep.filter((s) => s.state === 'open').length < N) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  const after = summarize();
  const rows = [];
  for (const [k, [c, sz]] of after) { const b = before.get(k) ?? [0, 0]; const dc = c - b[0], ds = sz - b[1]; if (ds > 0) rows.push([k, dc / N, ds / N]); }
  rows.sort((a, b) => b[2] - a[2]);
  let total = 0; for (const r of rows) total += r[2];
  console.log('total per client', Math.round(total));
  for (const r of rows.slice(0, 30)) console.log(r[0].padEnd(50), r[1].toFixed(1).padStart(6), Math.round(r[2]).toString().padStart(7));
  child.kill(); process.exit(0);
}
