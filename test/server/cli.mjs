// @ts-check
/**
 * `npm start`: serves the demo and the protocol on http://HOST:PORT/.
 * Flags: --port N --host H --tick SECONDS --ping SECONDS --idle SECONDS --history N;
 * env PORT, HOST, BROADCAST_TOKEN, ALLOWED_ORIGINS (comma-separated, e.g. "http://192.168.1.5:5200").
 */
import { parseArgs } from 'node:util';
import { createTestServer } from './index.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string' }, tick: { type: 'string' }, ping: { type: 'string' }, idle: { type: 'string' }, history: { type: 'string' },
  },
});
/** @param {string | undefined} text @param {string} name */
const number = (text, name) => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number >= 0, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
};

const server = await createTestServer({
  port: number(values.port ?? process.env.PORT ?? '5200', 'port'),
  host: values.host ?? process.env.HOST ?? '127.0.0.1',
  tickSeconds: number(values.tick, 'tick'),
  ping: values.ping ? { intervalSeconds: /** @type {number} */ (number(values.ping, 'ping')), idleTimeoutSeconds: number(values.idle, 'idle') } : undefined,
  historySize: number(values.history, 'history'),
  broadcastToken: process.env.BROADCAST_TOKEN || undefined,
  allowedOrigins: process.env.ALLOWED_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean),
  log: (line) => console.error(line),
}).catch((/** @type {NodeJS.ErrnoException & { port?: number }} */ err) => {
  console.error(err.code === 'EADDRINUSE' ? `port ${err.port} is in use: pass --port N or PORT=N` : err.message);
  process.exit(1);
});

console.log(`listening on ${server.url}`);
if (!process.env.BROADCAST_TOKEN && !server.loopbackOnly) {
  console.error(`the HTTP broadcast is refused (403): ${server.host} is beyond loopback and BROADCAST_TOKEN is not set`);
}

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
