import { badArgument } from './errors';

const SCHEMES = 'a ws(s)/http(s) URL or a path relative to the page';

/**
 * An absolute ws:/wss: URL from an absolute or page-relative one (http becomes ws, https wss; a
 * `#fragment`, which a WebSocket URL may not carry, is dropped). Reads `location` only when `url`
 * is relative, so importing the SDK is safe without a page.
 * @throws {ArgumentError} for an invalid URL, or a relative one where there is no http(s) page
 */
export function toSocketUrl(url: string): string {
  const relative = !/^[a-z][a-z\d+.-]*:/i.test(url);
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  if (relative && !/^https?:/.test(page ?? '')) {
    throw badArgument('url', 'absolute without an http(s) page (Node, workers, SSR)', url, 'E.g. "ws://localhost:5200/__initializeSocket.wc".');
  }
  let parsed: URL;
  try {
    parsed = new URL(url, relative ? page : undefined);
  } catch {
    throw badArgument('url', SCHEMES, url);
  }
  parsed.protocol = parsed.protocol.replace(/^http/, 'ws');
  if (!/^wss?:$/.test(parsed.protocol)) throw badArgument('url', SCHEMES, url);
  parsed.hash = '';
  return parsed.href;
}

/** Adds `groupId` and `userId` as query parameters, as the vendor's server expects; empty ones are left out. */
export function withIdentity(url: string, groupId: string, userId: string): string {
  const parsed = new URL(url);
  if (groupId) parsed.searchParams.set('groupId', groupId);
  if (userId) parsed.searchParams.set('userId', userId);
  return parsed.href;
}
