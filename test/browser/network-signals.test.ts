import { expect, it } from 'vitest';
import { describeInEngines, PAGE_WAIT_MS, useServerAndEngine } from '../helpers/browser';
import { openSdkPage } from '../helpers/sdk-page';
import { startTestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait';

/** Not in WebKit: its WebDriver cannot take a page offline (see `EnginePage.setOffline`). */
describeInEngines('network signals (not WebKit)', (engine) => {
  const ctx = useServerAndEngine(engine);

  it('while the browser is offline no attempt is made; the online event ends a 60 s backoff at once', { timeout: 30_000 }, async () => {
    let wsServer = await startTestServer({ static: false });
    const { port } = wsServer;
    const sdk = await openSdkPage(ctx.engine, ctx.server);
    try {
      const i = await sdk.run((h, url: string) => {
        const n = h.client({ url, network: h.sdk.networkSignals(), reconnect: { retryDelay: () => 60_000 } });
        h.sockets[n]!.tryConnect(true, 'net', 'offline-user');
        return n;
      }, wsServer.wsUrl);
      await sdk.until('open', PAGE_WAIT_MS, (h, n: number) => h.seen(n).state === 'open', i);

      await sdk.page.setOffline(true);
      expect(await sdk.page.evaluate(() => navigator.onLine)).toBe(false);
      // Only the page thinks it is offline: the server drops the link and comes back at once.
      await wsServer.close();
      wsServer = await startTestServer({ static: false, port });
      await sdk.until('reconnecting', PAGE_WAIT_MS, (h, n: number) => h.seen(n).state === 'reconnecting', i);
      await new Promise((r) => setTimeout(r, 500)); // an attempt, had one been made, would be in by now
      expect(wsServer.stats.upgrades).toBe(0);

      const onlineAt = Date.now();
      await sdk.page.setOffline(false);
      await sdk.until('open again', PAGE_WAIT_MS, (h, n: number) => h.seen(n).opens === 2, i);
      const backAfter = Date.now() - onlineAt;
      console.log(`${engine}: open again ${backAfter} ms after the browser was back online (retry delay 60 s)`);
      expect(backAfter).toBeLessThan(2000);
      await waitFor(() => wsServer.clients().some((c) => c.userId === 'offline-user'), 'the server to have the page back');
      expect(wsServer.stats.upgrades).toBe(1);
    } finally {
      await sdk.page.close();
      await wsServer.close();
    }
  });
}, ['chromium', 'firefox']);
