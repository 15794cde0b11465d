import { afterEach, expect, it } from 'vitest';
import { describeInEngines, PAGE_WAIT_MS, useServerAndEngine, waitInPage, type EnginePage } from '../helpers/browser';
import { startTcpProxy } from '../helpers/tcp-proxy';

/**
 * The demo with the resume extension (issue 13): a message sent while offline shows at once as
 * pending and is ticked when the server has it; after a resume that replayed what the page
 * missed, the page says it caught up. The page is served through a TCP proxy, so the test can cut
 * its link and keep it down.
 */
describeInEngines('chat demo: pending, delivered and caught up', (engine) => {
  const ctx = useServerAndEngine(engine);
  let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
  let page: EnginePage | undefined;
  afterEach(async () => {
    await page?.close();
    await proxy?.close();
    page = proxy = undefined;
  });

  const has = (p: EnginePage, selector: string, timeoutMs = PAGE_WAIT_MS) =>
    waitInPage(p, selector, timeoutMs, (s) => document.querySelector(s) !== null, selector);
  const say = async (p: EnginePage, text: string) => {
    await p.fill('#text', text);
    await p.pressEnter('#text');
  };
  /** The state of this page's own message with `text`: 'pending', 'delivered' or undefined. */
  const markOf = (p: EnginePage, text: string) =>
    p.evaluate((t) => {
      const item = [...document.querySelectorAll('.message')].find((e) => e.querySelector('.message-text')?.textContent === t);
      return item?.classList.contains('pending') ? `pending ${item.querySelector('.mark')?.textContent}` : item?.classList.contains('delivered') ? 'delivered' : undefined;
    }, text);

  it('offline: the message is pending at once, ticked delivered once the link is back; what was missed is replayed and the page says so', { timeout: 60_000 }, async () => {
    proxy = await startTcpProxy(ctx.server.port);
    const p = (page = await ctx.engine.newPage());
    await p.goto(`http://127.0.0.1:${proxy.port}/`);
    await waitInPage(p, 'the demo script', PAGE_WAIT_MS, () => 'chatSocket' in window);
    await p.fill('#user', 'dora');
    await p.fill('#group', 'delivery');
    await p.click('#connect');
    await has(p, '[data-testid=badge][data-state=open]');

    // Online: ticked within moments.
    await say(p, 'online hello');
    await waitInPage(p, 'the tick', PAGE_WAIT_MS, (t) => [...document.querySelectorAll('.message.delivered .message-text')].some((e) => e.textContent === t), 'online hello');

    // The link goes, and stays down.
    proxy.refuse(true);
    proxy.cut();
    await has(p, '[data-testid=badge][data-state=reconnecting]');
    await say(p, 'sent while offline');
    expect(await markOf(p, 'sent while offline')).toBe('pending sending…');
    // Meanwhile the room goes on without dora.
    for (const line of ['while you were away 1', 'while you were away 2']) {
      ctx.server.broadcast({ action: 'broadcastchatmessage', message: line, userId: 'eve', recipients: [{ type: 'group', value: 'delivery' }] });
    }

    proxy.refuse(false);
    // Up to 30 s: Firefox and Chromium hold a new socket back after failed ones (README, browser support).
    await has(p, '[data-testid=badge][data-state=open]', 30_000);
    await waitInPage(p, 'the offline message ticked', PAGE_WAIT_MS, (t) => [...document.querySelectorAll('.message.delivered .message-text')].some((e) => e.textContent === t), 'sent while offline');
    await waitInPage(p, 'the caught-up note', PAGE_WAIT_MS, () => document.querySelector('[data-testid=status]')?.textContent?.startsWith('caught up: 2 messages'));
    const texts = await p.evaluate(() => [...document.querySelectorAll('.message-text')].map((e) => e.textContent));
    expect(texts).toEqual(['online hello', 'sent while offline', 'while you were away 1', 'while you were away 2']);
    expect(await p.errors()).toEqual([]);
  });
});
