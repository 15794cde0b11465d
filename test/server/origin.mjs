// @ts-check
/**
 * Who may reach the server from a web page. A browser names the page's origin in every upgrade and
 * cross-site POST; a request without an Origin comes from a non-browser client (server-side code,
 * a CLI), which no web page can impersonate.
 */
import { isIP } from 'node:net';

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * @param {string} ownOrigin this server's own origin, e.g. "http://127.0.0.1:5200"
 * @param {readonly string[]} allowedOrigins
 * @returns {(origin: string | undefined) => boolean}
 */
export function originPolicy(ownOrigin, allowedOrigins) {
  const allowed = new Set([ownOrigin, ...allowedOrigins]);
  return (origin) => origin === undefined || allowed.has(origin) || LOCAL_ORIGIN.test(origin);
}

/**
 * Whether a listening address is reachable from this machine only. "localhost" counts: Node
 * resolves it to a loopback address.
 * @param {string} host
 */
export function isLoopback(host) {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}
