import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { createTestServer } from '../server/index.mjs';
import { describeInChromium, useServerAndBrowser } from '../helpers/browser';

const run = promisify(execFile);
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const BROADCAST_CLI = fileURLToPath(new URL('../server/broadcast-cli.mjs', import.meta.url));
const ATTACK = '<img src=x onerror="window.__pwned=1">';

describeInChromium('chat demo in Chromium', () => {
  const ctx = useServerAndBrowser();
  const open = new Map<Page, string[]>();
  afterEach(async () => {
    const pages = [...open];
    open.clear();
    await Promise.all(pages.map(([page]) => page.close()));
    // A demo that throws is broken even when the messages got through.
    for (const [, errors] of pages) expect(errors).toEqual([]);
  });

  /** Opens the demo, fills in who, clicks Connect and waits for the badge to say open. */
  async function join(user: string, group: string): Promise<Page> {
    const page = await ctx.browser.newPage();
    const errors: string[] = [];
    open.set(page, errors);
    page.on('pageerror', (err) => errors.push(`${user}: ${err.message}`));
    await page.goto(ctx.server.url, { timeout: 5000 });
    await page.fill('#user', user);
    await page.fill('#group', group);
    await page.click('#connect');
    await page.waitForSelector('[data-testid=badge][data-state=open]', { timeout: 5000 });
    return page;
  }
  const say = async (page: Page, text: string) => {
    await page.fill('#text', text, { timeout: 5000 });
    await page.press('#text', 'Enter');
  };
  const texts = (page: Page, selector = '.message-text') => page.locator(selector).allTextContents();
  const waitForText = (page: Page, text: string, timeout = 5000) =>
    page.waitForFunction((t) => [...document.querySelectorAll('.message-text')].some((e) => e.textContent === t), text, { timeout });

  it('two pages in one group chat, own messages highlighted; another group hears nothing; HTML stays text', async () => {
    const alice = await join('alice', 'room-1');
    const bob = await join('bob', 'room-1');
    const carol = await join('carol', 'room-2');

    // Each waits for the other's message before answering, so both lists have one order.
    const chat: [Page, string][] = [
      [alice, 'Hi Bob, the server is back up.'],
      [bob, 'Great: my page reconnected on its own, the badge counted down first.'],
      [bob, ATTACK],
      [alice, 'And that one shows as text, nothing ran. Messages can be long, too: they wrap inside the bubble instead of running off the side of the page.'],
    ];
    for (const [from, text] of chat) {
      await say(from, text);
      for (const page of [alice, bob]) await waitForText(page, text);
    }
    const all = chat.map(([, text]) => text);
    expect(await texts(alice)).toEqual(all);
    expect(await texts(bob)).toEqual(all);
    expect(await texts(alice, '.message.this-user .message-text')).toEqual([all[0], all[3]]);
    expect(await texts(bob, '.message.this-user .message-text')).toEqual([all[1], all[2]]);
    expect(await texts(alice, '.message.this-user .message-header b')).toEqual(['alice', 'alice']);

    // carol's connection works (she hears her own group's marker) and heard none of room-1 before it.
    await say(carol, 'marker for room-2');
    await waitForText(carol, 'marker for room-2');
    expect(await texts(carol)).toEqual(['marker for room-2']);

    // By now the attack has sat in the pages for several round trips: an <img src=x> would have failed to load.
    for (const page of [alice, bob, carol]) {
      expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(await page.locator('.messages img').count()).toBe(0);
    }

    expect(await alice.getAttribute('[data-testid=messages]', 'role')).toBe('log');
    await alice.mouse.move(0, 0); // no hover colour on the Connect button in the picture
    mkdirSync(ARTIFACTS, { recursive: true });
    await alice.screenshot({ path: `${ARTIFACTS}demo.png` });
  });

  it('a message from the broadcast CLI appears in the pages of its group, from "server"', async () => {
    const dave = await join('dave', 'room-3');
    const dana = await join('dana', 'room-3');
    const other = await join('olga', 'room-5');
    const { stdout } = await run(
      process.execPath,
      [BROADCAST_CLI, '--url', ctx.server.url, '--action', 'broadcastchatmessage', '--message', 'hello from the server', '--group', 'room-3'],
      { timeout: 10_000 },
    );
    expect(stdout).toContain('delivered to 2 connection(s)');
    for (const page of [dave, dana]) {
      await waitForText(page, 'hello from the server');
      expect(await texts(page, '.message-header b')).toEqual(['server']);
      expect(await page.locator('.message.this-user').count()).toBe(0);
    }
    await say(other, 'marker for room-5');
    await waitForText(other, 'marker for room-5');
    expect(await texts(other)).toEqual(['marker for room-5']);
  });

  it('a page that joins late sees the history; Disconnect closes and says so; Connect again shows what was missed, once', async () => {
    const gina = await join('gina', 'room-6');
    for (const text of ['first', 'second']) {
      await say(gina, text);
      await waitForText(gina, text);
    }
    const hank = await join('hank', 'room-6');
    await waitForText(hank, 'second');
    expect(await texts(hank)).toEqual(['first', 'second']);
    expect(await texts(hank, '.message-header b')).toEqual(['gina', 'gina']);
    expect(await hank.textContent('#connect')).toBe('Disconnect');

    await hank.click('#connect');
    await hank.waitForSelector('[data-testid=badge][data-state=closed]', { timeout: 5000 });
    expect(await hank.textContent('[data-testid=badge]')).toBe('disconnected');
    expect(await hank.textContent('#connect')).toBe('Connect');
    expect(await hank.isDisabled('#text')).toBe(true);
    expect(await hank.textContent('[data-testid=status]')).toBe('disconnected');
    expect(await hank.getAttribute('[data-testid=status]', 'class')).not.toContain('error');

    await say(gina, 'while hank was away');
    await waitForText(gina, 'while hank was away');
    await hank.click('#connect');
    await hank.waitForSelector('[data-testid=badge][data-state=open]', { timeout: 5000 });
    await waitForText(hank, 'while hank was away');
    expect(await texts(hank)).toEqual(['first', 'second', 'while hank was away']);
  });

  it('server restarted on the same port: the badge counts down while reconnecting, then is open, and messages flow', { timeout: 40_000 }, async () => {
    const erin = await join('erin', 'room-4');
    const frank = await join('frank', 'room-4');
    // Record every text the badge shows, to see the countdown tick.
    await erin.evaluate(() => {
      const badge = document.querySelector('[data-testid=badge]')!;
      const log: string[] = ((window as unknown as { badgeLog: string[] }).badgeLog = []);
      new MutationObserver(() => log.push(badge.textContent ?? '')).observe(badge, { childList: true, characterData: true, subtree: true });
    });

    const port = ctx.server.port;
    await ctx.server.close();
    // Two consecutive readings of one countdown, the second lower: the timer runs. Full jitter can
    // draw a near-zero delay, but the bound doubles with each failed attempt (up to 5 s).
    await erin.waitForFunction(
      () => {
        const log = (window as unknown as { badgeLog: string[] }).badgeLog;
        const seconds = log.map((t) => /^reconnecting in (\d+) s$/.exec(t)?.[1]).map((s) => (s === undefined ? NaN : Number(s)));
        return seconds.some((s, i) => i > 0 && seconds[i - 1] > s);
      },
      null,
      { timeout: 15_000 },
    );
    expect(await erin.getAttribute('[data-testid=badge]', 'data-state')).toBe('reconnecting');
    // The moment the link dropped was announced to screen readers.
    expect(await erin.textContent('[data-testid=announce]')).toBe('connection lost: reconnecting; messages you send wait here');
    // Failed attempts reach onErrorHandler, and the demo shows them in its status line.
    await erin.waitForSelector('[data-testid=status].error', { timeout: 10_000 });
    expect(await erin.textContent('[data-testid=status]')).toMatch(/could not connect/i);

    // Sent while down: queued, and sent when erin's page is back.
    await say(erin, 'sent while the server was down');
    expect(await erin.textContent('[data-testid=status]')).toBe('offline: 1 message waits here and goes out when the link is back');

    ctx.server = await createTestServer({ port });
    for (const page of [erin, frank]) {
      await page.waitForSelector('[data-testid=badge][data-state=open]', { timeout: 15_000 });
      expect(await page.textContent('[data-testid=badge]')).toBe('connected');
    }
    expect(await erin.textContent('[data-testid=announce]')).toBe('connected again');
    // Whoever was back first, both see the queued message once: live, or from the history.
    for (const page of [erin, frank]) {
      await waitForText(page, 'sent while the server was down');
      expect((await texts(page)).filter((t) => t === 'sent while the server was down')).toHaveLength(1);
    }
    await say(frank, 'back again');
    await waitForText(erin, 'back again');
    await say(erin, 'welcome back');
    await waitForText(frank, 'welcome back');
  });
});
