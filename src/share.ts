/**
 * `webconnection-websocket/share`: one connection for all the tabs of an app, opt-in.
 * @example
 * import { sharedTransport } from 'webconnection-websocket/share';
 * const socket = new WebConnectionWebSocket({ transport: sharedTransport() });
 * socket.tryConnect(true, 'room-1', 'rick'); // the other tabs of room-1/rick use the same link
 */
import { badArgument } from './errors';
import { SharePage, type LockManagerLike, type ShareEnv } from './transport/share-page';
import { shareFactory, type ShareOptions } from './transport/share-view';
import type { TransportFactory } from './transport/types';

export type { ShareOptions, ShareRole } from './transport/share-view';

const KNOWN = ['key', 'onRole', 'transport'];

/** The page's shared links, while the page has the same Web Locks and BroadcastChannel. */
let page: SharePage | undefined;

/** This page's environment for sharing, or why there is none. */
function thisPage(): SharePage | string {
  const g = globalThis as { navigator?: { locks?: LockManagerLike }; BroadcastChannel?: ShareEnv['Channel'] };
  const locks = g.navigator?.locks;
  const Channel = g.BroadcastChannel;
  if (typeof locks?.request !== 'function' || typeof Channel !== 'function') {
    return `no ${typeof Channel === 'function' ? 'Web Locks (navigator.locks: a secure context, https or localhost, is needed)' : 'BroadcastChannel'} here`;
  }
  if (page?.env.locks !== locks || page.env.Channel !== Channel) page = new SharePage({ locks, Channel });
  return page;
}

/**
 * A transport that shares one connection between the tabs (and windows) of an origin that
 * connect to the same URL as the same identity (`groupId`, `userId`): one tab holds the socket
 * and the others send and receive through it, each client behaving as if it had a socket of its
 * own. When that tab closes or crashes another one takes over within moments, and what a tab sent
 * that was not yet handed to the old socket goes on the new one, in order: nothing lost, nothing
 * sent twice by the handover. Needs the Web Locks API (a secure context) and BroadcastChannel;
 * without them, and for `tryConnect(false)`, each client connects on its own, as without this
 * option, and the `logger` says so once. More: docs/sharing.md.
 * @throws {ArgumentError} for an option that is not known or not a function
 * @example
 * const socket = new WebConnectionWebSocket({
 *   transport: sharedTransport({ onRole: (role) => (badge.title = role) }),
 * });
 */
export function sharedTransport(options: ShareOptions = {}): TransportFactory {
  if (typeof options !== 'object' || options === null) throw badArgument('sharedTransport options', 'an object', options);
  for (const key in options) if (!KNOWN.includes(key)) throw badArgument('A sharedTransport option', `one of ${KNOWN.join(', ')}`, key);
  for (const key of KNOWN) {
    const value = options[key as keyof ShareOptions];
    if (value !== undefined && typeof value !== 'function') throw badArgument(`sharedTransport ${key}`, 'a function', value);
  }
  return shareFactory(thisPage, options);
}
