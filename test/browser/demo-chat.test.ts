import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { describeInEngines, PAGE_WAIT_MS, useServerAndEngine, waitInPage, type EnginePage } from '../helpers/browser';
import { BROADCAST_CLI, startTestServer } from '../helpers/test-server';

const run = promisify(execFile);
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const ATTACK = '<img src=x onerror="window.__pwned=1">';

describeInEngines('chat demo', (engine) => {
  const ctx = useServerAndEngine(engine);
  const open = new Map<EnginePage, string>();
  afterEach(async () => {
    const pages = [...open];
    open.clear();
    // A demo that throws is broken even when the messages got through.
    const errors = await Promise.all(pages.map(async ([page, user]) => (await page.errors()).map((e) => `${user}: ${e}`)));
    await Promise.all(pages.map(([page]) => page.close()));
    expect(errors.flat()).toEqual([]);
  });

  const hasElement = (page: EnginePage, selector: string, timeoutMs = PAGE_WAIT_MS) =>
    waitInPage(page, selector, timeoutMs, (s) => document.querySelector(s) !== null, selector);
  const textOf = (page: EnginePage, selector: string) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
  const texts = (page: EnginePage, selector = '.message-text') =>
    page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.textContent ?? ''), selector);
  const attribute = (page: EnginePage, selector: string, name: string) =>
    page.evaluate((s, n) => document.querySelector(s)?.getAttribute(n) ?? null, selector, name);
  const count = (page: EnginePage, selector: string) => page.evaluate((s) => document.querySelectorAll(s).length, selector);
  const waitForText = (page: EnginePage, text: string, timeoutMs = PAGE_WAIT_MS) =>
    waitInPage(page, `the message "${text}"`, timeoutMs, (t) => [...document.querySelectorAll('.message-text')].some((e) => e.textContent === t), text);

  /** Opens the demo, fills in who, clicks Connect and waits for the badge to say open. */
  async function join(user: string, group: string): Promise<EnginePage> {
    const page = await ctx.engine.newPage();
    open.set(page, user);
    await page.goto(ctx.server.url);
    // Once the demo's script has run: it fills in a default user, which typing would append to.
    await waitInPage(page, 'the demo script', PAGE_WAIT_MS, () => 'chatSocket' in window);
    await page.fill('#user', user);
    await page.fill('#group', group);
    await page.click('#connect');
    await hasElement(page, '[data-testid=badge][data-state=open]');
    return page;
  }
  const say = async (page: EnginePage, text: string) => {
    await page.fill('#text', text);
    await page.pressEnter('#text');
  };

  it('two pages in one group chat, own messages highlighted; another group hears nothing; HTML stays text', async () => {
    const alice = await join('alice', 'room-1');
    const bob = await join('bob', 'room-1');
    const carol = await join('carol', 'room-2');

    // Each waits for the other's message before answering, so both lists have one order.
    const chat: [EnginePage, string][] = [
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
      expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned ?? null)).toBeNull();
      expect(await count(page, '.messages img')).toBe(0);
    }

    expect(await attribute(alice, '[data-testid=messages]', 'role')).toBe('log');
    mkdirSync(ARTIFACTS, { recursive: true });
    await alice.screenshot(`${ARTIFACTS}demo-${engine}.png`);
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
      expect(await count(page, '.message.this-user')).toBe(0);
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
    expect(await textOf(hank, '#connect')).toBe('Disconnect');

    await hank.click('#connect');
    await hasElement(hank, '[data-testid=badge][data-state=closed]');
    expect(await textOf(hank, '[data-testid=badge]')).toBe('disconnected');
    expect(await textOf(hank, '#connect')).toBe('Connect');
    expect(await hank.evaluate(() => document.querySelector<HTMLInputElement>('#text')!.disabled)).toBe(true);
    expect(await textOf(hank, '[data-testid=status]')).toBe('disconnected');
    expect(await attribute(hank, '[data-testid=status]', 'class')).not.toContain('error');

    await say(gina, 'while hank was away');
    await waitForText(gina, 'while hank was away');
    await hank.click('#connect');
    await hasElement(hank, '[data-testid=badge][data-state=open]');
    await waitForText(hank, 'while hank was away');
    expect(await texts(hank)).toEqual(['first', 'second', 'while hank was away']);
  });

  it('server restarted on the same port: the badge counts down while reconnecting, then is open, and messages flow', { timeout: 60_000 }, async () => {
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
    // draw a delay under the 1 s the badge counts in, but the bound doubles with each failed
    // attempt (up to 5 s). Firefox also holds each attempt back after failures (1.5 times longer
    // each time), so fewer countdowns fit in a given time there.
    await waitInPage(erin, 'the countdown to tick', 30_000, () => {
      const log = (window as unknown as { badgeLog: string[] }).badgeLog;
      const seconds = log.map((t) => /^reconnecting in (\d+) s$/.exec(t)?.[1]).map((s) => (s === undefined ? NaN : Number(s)));
      return seconds.some((s, i) => i > 0 && seconds[i - 1]! > s);
    });
    expect(await erin.evaluate(() => document.querySelector<HTMLElement>('[data-testid=badge]')!.dataset.state)).toBe('reconnecting');
    // The moment the link dropped was announced to screen readers.
    expect(await textOf(erin, '[data-testid=announce]')).toBe('connection lost: reconnecting; messages you send wait here');
    // Failed attempts reach onErrorHandler, and the demo shows them in its status line.
    await hasElement(erin, '[data-testid=status].error', 10_000);
    expect(await textOf(erin, '[data-testid=status]')).toMatch(/could not connect/i);

    // Sent while down: queued, and sent when erin's page is back.
    await say(erin, 'sent while the server was down');
    expect(await textOf(erin, '[data-testid=status]')).toBe('offline: 1 message waits here and goes out when the link is back');

    ctx.server = await startTestServer({ port });
    for (const page of [erin, frank]) {
      await hasElement(page, '[data-testid=badge][data-state=open]', 15_000);
      expect(await textOf(page, '[data-testid=badge]')).toBe('connected');
    }
    expect(await textOf(erin, '[data-testid=announce]')).toBe('connected again');
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
