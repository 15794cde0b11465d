import { WebConnectionWebSocket } from './dist/index.js';
// In-memory transport: events.message directly.
let events; let last = '';
const transport = (_c, e) => { events = e; queueMicrotask(() => e.open()); return { isOpen: true, bufferedAmount: 0, send: (d) => ((last = d), true), reconnect() {}, close() {} }; };
const s = new WebConnectionWebSocket({ url: 'ws://127.0.0.1/', transport, flushRate: Infinity });
await new Promise((r) => { s.onOpenHandler = r; s.tryConnect(); });
let handled = 0;
s.onMessageHandler = () => handled++;
const frames = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ action: 'broadcastchatmessage', message: 'hello from the benchmark, a chat-sized message ' + i, groupId: 'g', userId: 'u', recipients: [{ type: 'group', value: 'g' }] }));
const bare = (f) => { const m = JSON.parse(f); handled++; return m; };
const N = 200_000;
function run(fn) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(frames[i % 1000]); return Number(process.hrtime.bigint() - t) / N; }
for (let k = 0; k < 3; k++) { run(bare); run((f) => events.message(f)); }
const ratios = [];
for (let k = 0; k < 15; k++) { const b = run(bare); const sdk = run((f) => events.message(f)); ratios.push(sdk / b); }
ratios.sort((a, b) => a - b);
console.log('receive ratio median', ratios[7].toFixed(3), 'min', ratios[0].toFixed(3), 'max', ratios[14].toFixed(3));
const msgs = Array.from({ length: 1000 }, (_, i) => s.createBroadcastMessage('broadcastchatmessage', 'hello from the benchmark, a chat-sized message ' + i).addRecipient('g', 'group'));
const bareSend = (m) => { last = JSON.stringify(m); };
function runS(fn) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(msgs[i % 1000]); return Number(process.hrtime.bigint() - t) / N; }
for (let k = 0; k < 3; k++) { runS(bareSend); runS((m) => s.send(m)); }
const sr = [];
for (let k = 0; k < 15; k++) { const b = runS(bareSend); const sdk = runS((m) => s.send(m)); sr.push(sdk / b); }
sr.sort((a, b) => a - b);
console.log('send ratio median', sr[7].toFixed(3), 'min', sr[0].toFixed(3), 'max', sr[14].toFixed(3));
