import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * What a scripted server does with the n-th upgrade request (n from 1): refuse it with an HTTP
 * status, or accept it, send `frames`, then close with [code, reason] or cut the TCP link without
 * a close frame ('terminate'), 10 ms after the upgrade.
 */
export interface Script {
  refuse?: (n: number) => number | undefined;
  frames?: (string | Buffer)[];
  close?: (n: number) => [number, string] | 'terminate' | undefined;
}

/**
 * A real WebSocket server on 127.0.0.1 (a free port) that does what `script` says, so close codes,
 * refusals and malformed frames reach the SDK through a real socket (`ws` on Node, or a browser's).
 */
export async function scriptedWsServer(script: Script) {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  let upgrades = 0;
  let connections = 0;
  http.on('upgrade', (req, socket, head) => {
    const n = ++upgrades;
    const status = script.refuse?.(n);
    if (status) return void socket.end(`HTTP/1.1 ${status} Refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections++;
      for (const f of script.frames ?? []) ws.send(f, { binary: Buffer.isBuffer(f) });
      const action = script.close?.(n);
      if (action === 'terminate') setTimeout(() => ws.terminate(), 10);
      else if (action) setTimeout(() => ws.close(...action), 10);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/__initializeSocket.wc`,
    /** Upgrade requests, refused ones included. */
    upgrades: () => upgrades,
    /** Upgrades accepted. */
    connections: () => connections,
    /** Cuts every open link now without a close frame: 'fin' ends the TCP connection, 'rst' resets it. */
    cut: (how: 'fin' | 'rst') =>
      wss.clients.forEach((ws) => (how === 'fin' ? ws.terminate() : (ws as unknown as { _socket: Socket })._socket.resetAndDestroy())),
    close: () =>
      new Promise<void>((r) => {
        wss.clients.forEach((c) => c.terminate());
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}
