import { WebConnectionWebSocket } from './dist/index.js';
const s = new WebConnectionWebSocket({ url: 'ws://127.0.0.1/', transport: () => ({ isOpen: false, send: () => false, reconnect() {}, close() {} }) });
const msgs = Array.from({ length: 1000 }, (_, i) => s.createBroadcastMessage('broadcastchatmessage', 'hello from the benchmark, a chat-sized message ' + i).addRecipient('g', 'group'));
const notString = (x) => x != null && typeof x !== 'string';
function problem(value, outgoing) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'x';
  const v = value;
  if (typeof v.action !== 'string' || (outgoing && !v.action)) return 'y';
  const wrong = notString(v.message) ? 'message' : notString(v.groupId) ? 'groupId' : notString(v.userId) ? 'userId' : '';
  if (wrong) return wrong;
  const r = v.recipients;
  if (r != null) {
    if (!Array.isArray(r)) return 'r';
    for (let i = 0; i < r.length; i++) { const t = r[i]?.type; if (!(t === 'group' || t === 'user' || t === 'allButUser' || t === 'allButGroup') || typeof r[i].value !== 'string') return 'z'; }
  }
  return undefined;
}
let last; const N = 300_000;
const run = (fn) => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(msgs[i % 1000]); return Number(process.hrtime.bigint() - t) / N; };
const fns = { bare: (m) => { last = JSON.stringify(m); }, check: (m) => { last = problem(m, true) ?? JSON.stringify(m); }, trycatch: (m) => { try { last = JSON.stringify(m); } catch (e) { throw e } } };
for (let k = 0; k < 3; k++) for (const f of Object.values(fns)) run(f);
const res = {}; for (const k in fns) res[k] = [];
for (let k = 0; k < 9; k++) for (const [n, f] of Object.entries(fns)) res[n].push(run(f));
for (const [n, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(n, v[4].toFixed(1), 'ns'); }
