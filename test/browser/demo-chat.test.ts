import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createTestServer } from '../server/server.mjs';
import { browserSuiteMode, useServerAndBrowser } from '../helpers/browser';

const mode = browserSuiteMode();
const run = promisify(execFile);

describe.runIf(mode !== 'skip')('chat demo in Chromium', () => {
  const ctx = useServerAndBrowser();

  async function join(user: string, group: string): Promise<Page> {
    const page = await ctx.browser.newPage();
    page.on('pageerror', (err) => console.error(`[${user}] page error:`, err));
    await page.goto(ctx.server.url);
    await page.fill('#user', user);
    await page.fill('#group', group);
    await page.click('#connect');
    await page.waitForSelector('[data-testid=badge][data-state=open]', { timeout: 5000 });
    return page;
  }
  const say = async (page: Page, text: string) => {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  };
  const texts = (page: Page) => page.locator('.message-text').allTextContents();
  const waitForText = (page: Page, text: string) =>
    page.waitForFunction((t) => [...document.querySelectorAll('.message-text')].some((e) => e.textContent === t), text, { timeout: 5000 });

  it('two pages in one group chat; a page in another group receives nothing; HTML stays text', async () => {
    const alice = await join('alice', 'room-1');
    const bob = await join('bob', 'room-1');
    const carol = await join('carol', 'room-2');

    await say(alice, 'hello bob');
    await waitForText(bob, 'hello bob');
    const attack = '<img src=x onerror="window.__pwned=1">';
    await say(bob, attack);
    await waitForText(alice, attack);
    await waitForText(bob, attack);

    // Own messages are highlighted, the other's are not.
    expect(await alice.locator('.message.this-user .message-text').allTextContents()).toEqual(['hello bob']);
    expect(await bob.locator('.message.this-user .message-text').allTextContents()).toEqual([attack]);

    // carol hears her own group's marker, and nothing of room-1 before it.
    await say(carol, 'marker for room-2');
    await waitForText(carol, 'marker for room-2');
    expect(await texts(carol)).toEqual(['marker for room-2']);

    for (const page of [alice, bob, carol]) {
      expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(await page.locator('.messages img').count()).toBe(0);
    }
    mkdirSync('test/artifacts', { recursive: true });
    await alice.screenshot({ path: 'test/artifacts/demo.png' });
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  it('a message from `npm run broadcast` appears in the pages of its group', async () => {
    const dave = await join('dave', 'room-3');
    const { stdout } = await run(process.execPath, [
      'test/server/broadcast-cli.mjs', '--url', ctx.server.url, '--action', 'broadcastchatmessage', '--message', 'hello from the server', '--group', 'room-3',
    ]);
    expect(stdout).toContain('delivered to 1 connection(s)');
    await waitForText(dave, 'hello from the server');
    await dave.close();
  });

  it('server restarted on the same port: the badge shows reconnecting with a countdown, then open, and messages flow', async () => {
    const erin = await join('erin', 'room-4');
    const frank = await join('frank', 'room-4');
    const port = ctx.server.port;
    await ctx.server.close();
    await erin.waitForFunction(() => /reconnecting/.test(document.querySelector('[data-testid=badge]')?.textContent ?? ''), null, { timeout: 5000 });
    const badgeText = await erin.locator('[data-testid=badge]').textContent();
    expect(badgeText).toMatch(/^reconnecting( in \d+\.\d s|…)$/);

    // Sent while down: queued, delivered after the reconnect.
    await say(erin, 'sent while the server was down');
    ctx.server = await createTestServer({ port });
    for (const page of [erin, frank]) await page.waitForSelector('[data-testid=badge][data-state=open]', { timeout: 10_000 });
    await waitForText(frank, 'sent while the server was down');
    await say(frank, 'back again');
    await waitForText(erin, 'back again');
    await Promise.all([erin.close(), frank.close()]);
  });
});
