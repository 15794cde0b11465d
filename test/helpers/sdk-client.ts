import { WebSocket } from 'ws';
import { afterEach } from 'vitest';
import { WebConnectionWebSocket, type Envelope, type WebConnectionError, type WebConnectionOptions } from '../../src/index';
import { waitFor } from './wait';

/** An SDK client on Node (ws) that records what it receives, for integration tests. */
export interface RecordingClient {
  socket: WebConnectionWebSocket;
  messages: Envelope[];
  errors: WebConnectionError[];
  states: string[];
  /** Waits for `count` messages with `action` (default 1) and returns them. */
  waitFor(action: string, count?: number, timeoutMs?: number): Promise<Envelope[]>;
  waitForState(state: string, timeoutMs?: number): Promise<void>;
}

export function recordingClient(url: string, options: WebConnectionOptions = {}): RecordingClient {
  const socket = new WebConnectionWebSocket({ url, WebSocket, reconnect: { minDelay: 20, maxDelay: 100 }, ...options });
  const rec: RecordingClient = {
    socket,
    messages: [],
    errors: [],
    states: [],
    waitFor: (action, count = 1, timeoutMs = 5000) =>
      waitFor(() => {
        const found = rec.messages.filter((m) => m.action === action);
        return found.length >= count ? found : undefined;
      }, `${count} "${action}" message(s)`, timeoutMs),
    waitForState: async (state, timeoutMs = 5000) => {
      await waitFor(() => socket.state === state, `state ${state} (now ${socket.state})`, timeoutMs);
    },
  };
  socket.onMessageHandler = (m) => rec.messages.push(m);
  socket.onErrorHandler = (e) => rec.errors.push(e);
  socket.onStateChange = (c) => rec.states.push(c.state);
  return rec;
}

/**
 * For a test file whose tests make recording clients: `client()` makes one, and every client made
 * is closed after each test.
 */
export function useRecordingClients() {
  const made: RecordingClient[] = [];
  afterEach(() => made.splice(0).forEach((c) => c.socket.close()));
  return {
    made,
    client(url: string, options: WebConnectionOptions = {}): RecordingClient {
      const c = recordingClient(url, options);
      made.push(c);
      return c;
    },
  };
}
