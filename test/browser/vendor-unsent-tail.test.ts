import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { describeInChromium, useServerAndBrowser } from '../helpers/browser';
import { startTcpProxy } from '../helpers/tcp-proxy';
import { createTestServer, defaultOnWebSocket, type TestServer } from '../server/index.mjs';
import { waitFor } from '../helpers/wait';

/**
 * Without the resume extension (a vendor server), what the socket still held when the link died
 * is sent again, and nothing else (issue 13, item 4). A browser keeps `bufferedAmount` after a
 * close (Node's `ws` does not), so this runs in a page: the link is stalled until the page's
 * socket buffers a backlog, then cut.
 */
describeInChromium('vendor mode: frames that never left the socket go again, nothing twice (Chromium)', () => {
  const ctx = useServerAndBrowser();
  let wsServer: TestServer | undefined;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
  let page: Page | undefined;
  afterEach(async () => {
    await page?.close();
    await proxy?.close();
    await wsServer?.close();
    page = proxy = wsServer = undefined;
  });

  it('a link cut while its socket held a backlog: the unsent tail is queued again and arrives once; nothing arrives twice', { timeout: 30_000 }, async () => {
    const got: number[] = [];
    // A server without the extension, as a vendor's is; no rate limit, so only the link decides.
    wsServer = await createTestServer({
      static: false,
      resume: false,
      rateLimit: false,
      onWebSocket: (msg, ctx2) => (msg.action === 'n' ? void got.push(Number(msg.message.split(':')[0])) : defaultOnWebSocket(msg, ctx2)),
    });
    proxy = await startTcpProxy(wsServer.port);
    page = await ctx.browser.newPage();
    await page.goto(ctx.server.url);
    // A module script, not page.evaluate: the test runner would rewrite an import() in a function.
    await page.addScriptTag({
      type: 'module',
      content: `
        const { WebConnectionWebSocket } = await import('/dist/webconnection-websocket.min.js');
        const s = new WebConnectionWebSocket({ url: 'ws://127.0.0.1:${proxy.port}/__initializeSocket.wc', reconnect: { minDelay: 50, maxDelay: 100 } });
        window.s = s;
        window.queuedAfterDrop = -1;
        s.onCloseHandler = () => (window.queuedAfterDrop = s.queued);
        s.onOpenHandler = () => (window.opened = true);
        s.tryConnect(true, 'tail', 'u');`,
    });
    await page.waitForFunction(() => (window as unknown as { opened?: boolean }).opened === true, null, { timeout: 10_000 });

    proxy.stall();
    const N = 200;
    const buffered = await page.evaluate((n) => {
      const s = (window as unknown as { s: { send(m: unknown): string; createBroadcastMessage(a: string, m: string): unknown; bufferedAmount: number } }).s;
      const pad = 'x'.repeat(40_000);
      const results = Array.from({ length: n }, (_, i) => s.send(s.createBroadcastMessage('n', `${i}:${pad}`)));
      return { sent: results.filter((r) => r === 'sent').length, bufferedAmount: s.bufferedAmount };
    }, N);
    expect(buffered.sent).toBe(N);
    expect(buffered.bufferedAmount).toBeGreaterThan(0);
    proxy.cut();
    await page.waitForFunction(() => (window as unknown as { queuedAfterDrop: number }).queuedAfterDrop >= 0, null, { timeout: 10_000 });
    const requeued = await page.evaluate(() => (window as unknown as { queuedAfterDrop: number }).queuedAfterDrop);
    // The tail the socket never put on the network is queued again (whatever it had handed to the
    // network is gone with the cut link: that is what vendor mode cannot recover).
    expect(requeued).toBeGreaterThan(0);
    await waitFor(() => got.includes(N - 1), 'the last message, sent again on the next link', 15_000);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(got.slice(-requeued)).toEqual(Array.from({ length: requeued }, (_, i) => N - requeued + i));
    console.log(`vendor mode: ${N} messages of 40 KB sent into a stalled link, cut: ${requeued} requeued and delivered once; ${N - got.length} lost in flight; 0 duplicated`);
  });
});
