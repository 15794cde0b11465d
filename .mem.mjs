import { WebSocket } from 'ws';
import { WebConnectionWebSocket } from './dist/index.js';
import { createTestServer } from './test/server/index.mjs';
import { fork } from 'node:child_process';
if (process.argv[2] === 'server') {
  const s = await createTestServer({ static: false, maxConnections: 5000 });
  process.send(s.wsUrl);
} else {
  const child = fork(new URL(import.meta.url).pathname, ['server']);
  const url = await new Promise((r) => child.once('message', r));
  const N = 1000;
  const mode = process.argv[2] ?? 'sdk';
  global.gc(); await new Promise((r) => setTimeout(r, 100)); global.gc();
  const before = process.memoryUsage().heapUsed;
  const keep = [];
  for (let i = 0; i < N; i++) {
    if (mode === 'sdk') { const s = new WebConnectionWebSocket({ url, WebSocket }); s.tryConnect(true, 'g', 'u' + i); keep.push(s); }
    else { keep.push(new WebSocket(url + '?groupId=g&userId=u' + i)); }
  }
  const opened = () => mode === 'sdk' ? keep.filter((s) => s.state === 'open').length : keep.filter((w) => w.readyState === 1).length;
  while (opened() < N) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  global.gc(); await new Promise((r) => setTimeout(r, 100)); global.gc();
  const after = process.memoryUsage().heapUsed;
  console.log(mode, 'bytes per client', Math.round((after - before) / N));
  child.kill(); process.exit(0);
}
