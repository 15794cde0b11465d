// @ts-check
/**
 * Every option of the test server, its default and its limit, in one place: the table in
 * docs/test-server.md is this file in prose.
 */
import { fileURLToPath } from 'node:url';

/** @typedef {import('./envelope.mjs').Envelope} Envelope */
/** @typedef {import('./hub.mjs').SocketContext} SocketContext */
/** @typedef {import('./hub.mjs').Identity} Identity */

/**
 * @typedef {object} TestServerOptions
 * @property {number} [port] (default: 0, a free port)
 * @property {string} [host] (default: "127.0.0.1")
 * @property {(msg: Envelope, ctx: SocketContext) => void} [onWebSocket] handles every valid message from a socket, after identity stamping and `ping` (default: {@link defaultOnWebSocket} from index.mjs)
 * @property {(request: import('node:http').IncomingMessage, url: URL) => Identity | null | Promise<Identity | null>} [identify] who an upgrading connection is; `null` refuses it with 401 (default: the `groupId` and `userId` query parameters)
 * @property {number} [tickSeconds] sends `{"action":"tick","message":"<ISO time>"}` to everyone this often (seed 001 uses 30) (default: off)
 * @property {{ intervalSeconds: number, idleTimeoutSeconds?: number }} [ping] sends `{"action":"ping"}` every interval; closes (4408) a connection silent for idleTimeoutSeconds (default: off)
 * @property {number} [maxFrameBytes] larger frames close the connection with 1009; larger HTTP bodies get 413; the `initialmessages` frame stays under it (default: 65536)
 * @property {number} [maxDepth] JSON nesting deeper than this is refused before it is parsed (default: 32)
 * @property {number} [maxRecipients] envelopes with more recipients are refused (default: 100)
 * @property {number} [maxBufferedBytes] a connection with more than this waiting to be sent is a slow reader: closed with 1013 (default: 1048576)
 * @property {number} [slowReaderGraceMs] how long a slow reader's close may take before its TCP link is cut (default: 2000)
 * @property {string[]} [allowedOrigins] origins allowed to upgrade and to broadcast, besides this server's own and any http://localhost:* or http://127.0.0.1:*; requests without an Origin (non-browser clients) are allowed
 * @property {number} [maxConnections] upgrades past this get 503 (default: 1000)
 * @property {{ messages: number, perSeconds: number } | false} [rateLimit] per connection, every frame (text or binary); frames past it are dropped, the first of each window answered with an error (default: 100 per 1 s)
 * @property {string} [broadcastToken] the HTTP broadcast needs `Authorization: Bearer <token>`; without one it is open on loopback and refused elsewhere
 * @property {number} [historySize] messages kept per group and sent as `initialmessages` on connect; 0 turns history off (default: 50)
 * @property {string[]} [historyActions] the actions history keeps (default: ["broadcastchatmessage"])
 * @property {number} [maxHistoryGroups] groups with a history; the group written least recently is forgotten first (default: 1000)
 * @property {{ bufferFrames?: number, bufferBytes?: number, ttlSeconds?: number, maxSessions?: number } | false} [resume] the resume extension (docs/protocol.md): per session, the frames kept for a replay (default 1000 frames, 1 MiB), how long a session waits for its client after its link dropped (default 120 s), and how many sessions at most (default 2000; when full, the one away longest ends first, a live one never); false turns it off: then the server greets no one and numbers nothing, as the vendor's does
 * @property {Record<string, string> | false} [static] URL prefix -> directory (default: demo/ at "/" and dist/ at "/dist/")
 * @property {(line: string) => void} [log] (default: quiet)
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The options with every default filled in. `??` keeps a caller's 0 and false.
 * @param {TestServerOptions} options
 */
export function resolveOptions(options) {
  const rateLimit = options.rateLimit ?? { messages: 100, perSeconds: 1 };
  const resolved = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    onWebSocket: options.onWebSocket,
    identify: options.identify,
    tickSeconds: options.tickSeconds ?? 0,
    ping: options.ping,
    maxFrameBytes: options.maxFrameBytes ?? 65536,
    maxDepth: options.maxDepth ?? 32,
    maxRecipients: options.maxRecipients ?? 100,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    slowReaderGraceMs: options.slowReaderGraceMs ?? 2000,
    allowedOrigins: options.allowedOrigins ?? [],
    maxConnections: options.maxConnections ?? 1000,
    rateLimit,
    broadcastToken: options.broadcastToken || undefined,
    historySize: options.historySize ?? 50,
    historyActions: options.historyActions ?? ['broadcastchatmessage'],
    maxHistoryGroups: options.maxHistoryGroups ?? 1000,
    resume: options.resume === false ? /** @type {const} */ (false) : { bufferFrames: 1000, bufferBytes: 1024 * 1024, ttlSeconds: 120, maxSessions: 2000, ...options.resume },
    static: /** @type {Record<string, string> | false} */ (options.static ?? { '/': `${REPO}demo`, '/dist/': `${REPO}dist` }),
    log: options.log ?? (() => {}),
  };
  for (const name of /** @type {const} */ (['maxFrameBytes', 'maxDepth', 'maxRecipients', 'maxBufferedBytes', 'maxConnections', 'maxHistoryGroups'])) {
    if (!(resolved[name] > 0)) throw new RangeError(`${name} must be a number > 0, got ${resolved[name]}`);
  }
  if (!(resolved.historySize >= 0)) throw new RangeError(`historySize must be a number >= 0, got ${resolved.historySize}`);
  if (rateLimit && !(rateLimit.messages > 0 && rateLimit.perSeconds > 0)) {
    throw new RangeError(`rateLimit must be false or { messages > 0, perSeconds > 0 }, got ${JSON.stringify(rateLimit)}`);
  }
  return resolved;
}

/** @typedef {ReturnType<typeof resolveOptions>} ResolvedOptions */
