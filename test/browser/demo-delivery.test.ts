import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { describeInChromium, useServerAndBrowser } from '../helpers/browser';
import { startTcpProxy } from '../helpers/tcp-proxy';

/**
 * The demo with the resume extension (issue 13): a message sent while offline shows at once as
 * pending and is ticked when the server has it; after a resume that replayed what the page
 * missed, the page says it caught up. The page is served through a TCP proxy, so the test can cut
 * its link and keep it down.
 */
describeInChromium('chat demo: pending, delivered and caught up (Chromium)', () => {
  const ctx = useServerAndBrowser();
  let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
  let page: Page | undefined;
  afterEach(async () => {
    await page?.close();
    await proxy?.close();
    page = proxy = undefined;
  });

  it('offline: the message is pending at once, ticked delivered once the link is back; what was missed is replayed and the page says so', { timeout: 30_000 }, async () => {
    proxy = await startTcpProxy(ctx.server.port);
    page = await ctx.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${proxy.port}/`, { timeout: 5000 });
    await page.fill('#user', 'dora');
    await page.fill('#group', 'delivery');
    await page.click('#connect');
    await page.waitForSelector('[data-testid=badge][data-state=open]', { timeout: 5000 });

    // Online: ticked within moments.
    await page.fill('#text', 'online hello');
    await page.press('#text', 'Enter');
    await page.waitForSelector('.message.delivered .mark', { timeout: 5000 });

    // The link goes, and stays down.
    proxy.refuse(true);
    proxy.cut();
    await page.waitForSelector('[data-testid=badge][data-state=reconnecting]', { timeout: 5000 });
    await page.fill('#text', 'sent while offline');
    await page.press('#text', 'Enter');
    const pending = page.locator('.message.pending', { hasText: 'sent while offline' });
    await pending.waitFor({ timeout: 2000 });
    expect(await pending.locator('.mark').textContent()).toBe('sending…');
    // Meanwhile the room goes on without dora.
    for (const line of ['while you were away 1', 'while you were away 2']) {
      ctx.server.broadcast({ action: 'broadcastchatmessage', message: line, userId: 'eve', recipients: [{ type: 'group', value: 'delivery' }] });
    }

    proxy.refuse(false);
    await page.waitForSelector('[data-testid=badge][data-state=open]', { timeout: 10_000 });
    await page.locator('.message.delivered', { hasText: 'sent while offline' }).waitFor({ timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent?.startsWith('caught up: 2 messages'), null, { timeout: 5000 });
    const texts = await page.locator('.message-text').allTextContents();
    expect(texts).toEqual(['online hello', 'sent while offline', 'while you were away 1', 'while you were away 2']);
    expect(errors).toEqual([]);
  });
});
