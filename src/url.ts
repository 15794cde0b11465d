import { ArgumentError } from './errors';

/** The vendor's WebSocket endpoint, relative to the page. */
export const DEFAULT_SOCKET_PATH = '__initializeSocket.wc';

/**
 * An absolute ws:/wss: URL from an absolute or page-relative one (http becomes ws, https wss).
 * Reads `location` only when `url` is relative, so importing the SDK is safe without a page.
 */
export function toSocketUrl(url: string): string {
  let parsed: URL;
  try {
    const base = /^[a-z][a-z\d+.-]*:/i.test(url) ? undefined : pageHref(url);
    parsed = new URL(url, base);
  } catch (cause) {
    if (cause instanceof ArgumentError) throw cause;
    throw new ArgumentError(`Invalid url ${JSON.stringify(url)}: expected ws://, wss://, http://, https:// or a path relative to the page.`, { cause });
  }
  parsed.protocol = parsed.protocol.replace(/^http/, 'ws');
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new ArgumentError(`Invalid url ${JSON.stringify(url)}: the scheme must be ws:, wss:, http: or https:.`);
  }
  return parsed.href;
}

function pageHref(url: string): string {
  const href = (globalThis as { location?: { href?: string } }).location?.href;
  if (!href || !/^https?:/.test(href)) {
    throw new ArgumentError(
      `Cannot resolve the relative url ${JSON.stringify(url)}: there is no http(s) page location here (Node, a worker, SSR). ` +
        'Pass an absolute url option, e.g. { url: "ws://localhost:5200/__initializeSocket.wc" }.',
    );
  }
  return href;
}

/** Adds `groupId` and `userId` as query parameters, as the vendor's server expects; empty ones are left out. */
export function withIdentity(url: string, groupId?: string, userId?: string): string {
  const parsed = new URL(url);
  if (groupId) parsed.searchParams.set('groupId', groupId);
  if (userId) parsed.searchParams.set('userId', userId);
  return parsed.href;
}
