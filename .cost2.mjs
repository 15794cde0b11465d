import { WebConnectionWebSocket, serializeEnvelope } from './dist/index.js';
const s = new WebConnectionWebSocket({ url: 'ws://127.0.0.1/', transport: () => ({ isOpen: false, send: () => false, reconnect() {}, close() {} }) });
const msgs = Array.from({ length: 1000 }, (_, i) => s.createBroadcastMessage('broadcastchatmessage', 'hello from the benchmark, a chat-sized message ' + i).addRecipient('g', 'group'));
let last;
const N = 300_000;
const run = (fn) => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(msgs[i % 1000]); return Number(process.hrtime.bigint() - t) / N; };
const fns = { bare: (m) => { last = JSON.stringify(m); }, ser: (m) => { last = serializeEnvelope(m); } };
for (let k = 0; k < 3; k++) for (const f of Object.values(fns)) run(f);
const res = {}; for (const k in fns) res[k] = [];
for (let k = 0; k < 9; k++) for (const [n, f] of Object.entries(fns)) res[n].push(run(f));
for (const [n, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(n, v[4].toFixed(1), 'ns'); }
