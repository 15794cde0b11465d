import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that can go silent: `blackhole()` stops forwarding in both directions
 * without closing either side (a half-open link, as after a NAT or Wi-Fi drop); `restore()` makes
 * new connections forward again.
 */
export async function startTcpProxy(targetPort: number) {
  let silent = false;
  const pairs: [Socket, Socket][] = [];
  const all: Socket[] = [];
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    pairs.push([client, upstream]);
    all.push(client, upstream);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (d) => {
        if (!silent) to.write(d);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', () => !silent && end());
    upstream.on('error', end).on('close', () => !silent && end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
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
    close: () => new Promise<void>((r) => {
      all.forEach((s) => s.destroy());
      server.close(() => r());
    }),
  };
}
