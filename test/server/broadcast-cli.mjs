// @ts-check
/**
 * `npm run broadcast -- --action A --message M [--group G] [--user U] [--url URL] [--token T]`:
 * posts one envelope to the server's `__broadcastWebSocket.wc` endpoint, the JavaScript twin of the
 * vendor's FoxPro `wwWebSocket.BroadcastMessage`.
 */
import { parseArgs } from 'node:util';

/** @param {string} message @returns {never} */
const fail = (message) => {
  console.error(`broadcast: ${message}`);
  process.exit(1);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      action: { type: 'string' }, message: { type: 'string' }, group: { type: 'string' }, user: { type: 'string' },
      url: { type: 'string', default: process.env.BROADCAST_URL ?? 'http://127.0.0.1:5200/' }, token: { type: 'string', default: process.env.BROADCAST_TOKEN },
    },
  }));
} catch (err) {
  fail(`${/** @type {Error} */ (err).message}\nusage: npm run broadcast -- --action A --message M [--group G] [--user U] [--url URL] [--token T]`);
}
if (!values?.action) fail('--action is required, e.g. --action broadcastchatmessage');

const envelope = {
  action: values.action,
  message: values.message ?? '',
  groupId: values.group ?? '',
  userId: values.user ?? '',
  recipients: values.group ? [{ type: 'group', value: values.group }] : [],
};
const base = values.url.endsWith('/') ? values.url : `${values.url}/`;
let res;
try {
  res = await fetch(new URL('__broadcastWebSocket.wc', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(values.token ? { authorization: `Bearer ${values.token}` } : {}) },
    body: JSON.stringify(envelope),
  });
} catch (err) {
  fail(`cannot reach ${base}: ${/** @type {{cause?: Error}} */ (err).cause?.message ?? err}. Is the server running (npm start)?`);
}
const body = await res.text();
if (!res.ok) fail(`the server answered ${res.status}: ${body}`);
console.log(`delivered to ${JSON.parse(body).delivered} connection(s)`);
