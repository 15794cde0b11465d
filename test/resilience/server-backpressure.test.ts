import { describe, expect, it } from 'vitest';
import { connectRaw } from '../helpers/raw-client';
import { useForkedServers } from '../helpers/server-process';
import { binaryEchoNeverRead, floodNeverRead } from '../helpers/slow-reader.mjs';

const MiB = 1024 * 1024;

// Each case runs against a server in its own process and compares its heap + external memory
// after a full GC before and after. Without backpressure the first case grew it by ~500 MiB and
// the second by ~400 MiB (issue 10); the bound asserted here is far below either.
describe('test server: a client that never reads cannot grow the server', () => {
  const servers = useForkedServers();

  it('60 KB binary frames echoed to a client that never reads: closed with 1013 and a reason, memory bounded', { timeout: 60_000 }, async () => {
    const server = await servers.start({ static: false, rateLimit: false, slowReaderGraceMs: 10_000 });
    const run = await binaryEchoNeverRead(server, { frames: 2000 });
    try {
      expect((await server.stats()).slowReaders).toBe(1);
      expect(run.after.heapAndExternal - run.before.heapAndExternal).toBeLessThan(32 * MiB);
      // Read at last: behind the echoes that were buffered, the close frame says what happened.
      const close = await new Promise<{ code: number; reason: string }>((resolve) =>
        run.client.resume((f) => f.opcode === 8 && resolve({ code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString() })),
      );
      expect(close).toEqual({ code: 1013, reason: expect.stringMatching(/^slow reader: over \d+ bytes waiting to be sent$/) });
    } finally {
      run.client.close();
    }
  });

  it('200,000 frames past the rate limit, replies never read: one error reply a window, memory bounded, still serving', { timeout: 60_000 }, async () => {
    const server = await servers.start({ static: false });
    const run = await floodNeverRead(server, { frames: 200_000 });
    try {
      const stats = await server.stats();
      expect(stats.framesReceived).toBe(200_000);
      expect(stats.framesDropped).toBeGreaterThan(190_000);
      expect(run.after.heapAndExternal - run.before.heapAndExternal).toBeLessThan(32 * MiB);
      const probe = await connectRaw(server.wsUrl);
      try {
        probe.send({ action: 'echo', message: 'still serving?' });
        await probe.next((m) => m.action === 'echo');
      } finally {
        probe.close();
      }
    } finally {
      run.client.close();
    }
  });
});
