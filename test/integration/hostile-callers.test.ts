import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/index';
import { useRecordingClients } from '../helpers/sdk-client';
import { quietPeriod, waitFor } from '../helpers/wait';
import { createTestServer, type TestServer } from '../server/index.mjs';

/**
 * A hostile review of the client core (issue 9) against the real test server over `ws`, where
 * what matters is what the server still holds. "defect:" tests fail on the reviewed code
 * (708fd7e); "holds:" tests pass and cover ground no other test covers.
 */
let server: TestServer;
beforeAll(async () => (server = await createTestServer({ static: false })));
afterAll(() => server.close());
const clients = useRecordingClients();

/** Connections the server holds for `groupId`. */
const held = (groupId: string) => server.clients().filter((c) => c.groupId === groupId);

describe('defect: close() or reconnect() from the logger while a socket is being built', () => {
  it('close() from the logger\'s "connect" event: no connection is left at the server, and nothing arrives after close()', async () => {
    let closeNow = false;
    const c = clients.client(server.wsUrl, { logger: (event) => closeNow && event === 'connect' && ((closeNow = false), c.socket.close()) });
    closeNow = true;
    c.socket.tryConnect(true, 'hr-log-close', 'a');
    await c.waitForState('closed');
    await quietPeriod(500, 'a socket built after close() to reach the server');
    // On 708fd7e the socket is built after close() and opens: the server keeps it for good.
    expect(held('hr-log-close')).toEqual([]);
    const after: Envelope[] = [];
    c.socket.onMessageHandler = (m) => after.push(m);
    server.broadcast({ action: 'after-close', message: '', recipients: [{ type: 'group', value: 'hr-log-close' }] });
    await quietPeriod(200, 'a message after close()');
    // On 708fd7e it reaches onMessageHandler.
    expect(after).toEqual([]);
  });

  it('reconnect() from the logger\'s "connect" event: one connection at the server, not two', async () => {
    let once = true;
    const c = clients.client(server.wsUrl, { logger: (event) => once && event === 'connect' && ((once = false), c.socket.reconnect()) });
    c.socket.tryConnect(true, 'hr-log-reconnect', 'a');
    await c.waitForState('open');
    // On 708fd7e the superseded socket opens too and nothing ever closes it.
    await waitFor(() => held('hr-log-reconnect').length === 1, 'exactly one connection at the server', 2000);
    c.socket.close();
    await waitFor(() => held('hr-log-reconnect').length === 0, 'no connection after close()', 2000);
  });
});

describe('holds: what the server holds after storms and closes (ws on Node)', () => {
  it('close() at each step (state connecting, socket connecting, open, first message) leaves no connection at the server', async () => {
    const steps = ['state', 'socket', 'open', 'message'] as const;
    for (const step of steps) {
      const group = `hr-step-${step}`;
      let built: (() => void) | undefined;
      class Hooked extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols);
          queueMicrotask(() => built?.()); // right after the transport took the CONNECTING socket
        }
      }
      const c = clients.client(server.wsUrl, { WebSocket: Hooked });
      if (step === 'state') c.socket.onStateChange = (s) => s.state === 'connecting' && c.socket.close();
      if (step === 'socket') built = () => c.socket.close();
      if (step === 'open') c.socket.onOpenHandler = () => c.socket.close();
      if (step === 'message') c.socket.onMessageHandler = () => c.socket.close();
      c.socket.tryConnect(true, group, 'u');
      if (step === 'message') {
        await c.waitForState('open');
        c.socket.send(c.socket.createBroadcastMessage('echo', 'x'));
      }
      await c.waitForState('closed');
      await waitFor(() => held(group).length === 0, `no connection after close() at step ${step}`, 2000);
    }
  });

  it('100 reconnect() calls in one tick on an open link, then 20 identity switches: the server ends with one connection, the last identity, zero after close()', async () => {
    const c = clients.client(server.wsUrl);
    c.socket.tryConnect(true, 'hr-storm', 'u0');
    await c.waitForState('open');
    for (let i = 0; i < 100; i++) c.socket.reconnect();
    await waitFor(() => c.socket.state === 'open' && held('hr-storm').length === 1, 'one connection after the reconnect storm');
    for (let i = 1; i <= 20; i++) c.socket.tryConnect(true, 'hr-storm', `u${i}`);
    await waitFor(() => c.socket.state === 'open' && held('hr-storm').length === 1 && held('hr-storm')[0]!.userId === 'u20', 'one connection, as u20');
    c.socket.close();
    await waitFor(() => held('hr-storm').length === 0, 'no connection after close()');
  });
});
