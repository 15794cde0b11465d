import { WebSocket } from 'ws';
import { waitFor } from './wait';

export interface RawClient {
  socket: WebSocket;
  /** Every text frame received, parsed when it is JSON. */
  received: unknown[];
  binary: Buffer[];
  send(value: unknown): void;
  /** Waits for a received message matching `match` and returns it. */
  next(match: (msg: Record<string, unknown>) => boolean, what?: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** A bare `ws` client (no SDK) for testing the server. Query params groupId/userId when given. */
export async function connectRaw(wsUrl: string, identity: { groupId?: string; userId?: string } = {}, headers?: Record<string, string>): Promise<RawClient> {
  const url = new URL(wsUrl);
  if (identity.groupId) url.searchParams.set('groupId', identity.groupId);
  if (identity.userId) url.searchParams.set('userId', identity.userId);
  const socket = new WebSocket(url, { headers });
  const received: unknown[] = [];
  const binary: Buffer[] = [];
  socket.on('message', (data, isBinary) => {
    if (isBinary) return void binary.push(data as Buffer);
    const text = data.toString();
    try {
      received.push(JSON.parse(text));
    } catch {
      received.push(text);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
  });
  return {
    socket,
    received,
    binary,
    closed,
    send: (value) => socket.send(typeof value === 'string' ? value : JSON.stringify(value)),
    next: (match, what = 'a matching message', timeoutMs = 3000) =>
      waitFor(() => received.find((m) => typeof m === 'object' && m !== null && match(m as Record<string, unknown>)) as Record<string, unknown> | undefined, what, timeoutMs),
    close: () => socket.close(),
  };
}
