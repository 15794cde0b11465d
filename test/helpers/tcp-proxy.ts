import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between clients and a server, for fault tests:
 * - `blackhole()` stops forwarding in both directions without closing either side (a half-open
 *   link, as after a NAT or Wi-Fi drop); `restore()` makes new connections forward again;
 * - `cut()` resets every link at once (both sides see the connection die, whatever was in flight
 *   is lost); `flap()` does so at random intervals until stopped;
 * - `latencyMs` delays every chunk, both ways, keeping their order.
 */
export async function startTcpProxy(targetPort: number, { latencyMs = 0 } = {}) {
  let silent = false;
  const pairs: [Socket, Socket][] = [];
  const all: Socket[] = [];
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.push(pair);
    all.push(client, upstream);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (d) => {
        if (silent) return;
        if (latencyMs) setTimeout(() => to.destroyed || to.write(d), latencyMs);
        else to.write(d);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      const i = pairs.indexOf(pair);
      if (i >= 0) pairs.splice(i, 1);
    };
    client.on('error', end).on('close', () => !silent && end());
    upstream.on('error', end).on('close', () => !silent && end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let flapping: ReturnType<typeof setTimeout> | undefined;
  const proxy = {
    port: (server.address() as { port: number }).port,
    /** Links currently forwarding. */
    connections: () => pairs.length,
    blackhole() {
      silent = true;
    },
    /** Forward again; links that went silent stay dead (their data is lost), new ones work. */
    restore() {
      for (const [a, b] of pairs.splice(0)) (a.pause(), b.pause());
      silent = false;
    },
    /** Resets every link now; returns how many there were. */
    cut(): number {
      const n = pairs.length;
      for (const [a, b] of pairs.splice(0)) (a.resetAndDestroy(), b.resetAndDestroy());
      return n;
    },
    /**
     * Cuts every link at random intervals in [minMs, maxMs] until `stop()`; `cuts()` counts the
     * cuts that found a link to cut.
     */
    flap(minMs: number, maxMs: number) {
      let cuts = 0;
      const next = () => {
        flapping = setTimeout(() => {
          if (proxy.cut()) cuts++;
          next();
        }, minMs + Math.random() * (maxMs - minMs));
      };
      next();
      return { stop: () => clearTimeout(flapping), cuts: () => cuts };
    },
    close: () =>
      new Promise<void>((r) => {
        clearTimeout(flapping);
        all.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
  return proxy;
}
