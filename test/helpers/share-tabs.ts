import { afterEach } from 'vitest';
import { addModuleScript, PAGE_WAIT_MS, waitInPage, type Engine, type EngineContext, type EnginePage } from './engines';

/** What a tab recorded, read with {@link Tab.log}. */
export interface TabLog {
  /** `broadcastchatmessage` texts received, in order. */
  received: string[];
  /** Roles told by `onRole`, with the page's clock. */
  roles: { role: string; at: number }[];
  opens: number[];
  closes: { code: number; reason: string }[];
  states: string[];
  errors: string[];
  /** What each `send()` returned, in order. */
  results: string[];
}

/** One page of the test server running the built SDK: a client that chats in `group` as `user`. */
export interface Tab {
  page: EnginePage;
  /** Sends one chat message to the group; resolves with what `send()` returned. */
  say(text: string): Promise<string>;
  /** Sends `${prefix}-1` .. `${prefix}-${count}`, one every `everyMs`, from the page's own timer; resolves at once. */
  stream(prefix: string, count: number, everyMs: number): Promise<void>;
  log(): Promise<TabLog>;
  /** The client's `close()` (the page stays). */
  disconnect(): Promise<void>;
  /** Waits until `check(log)` holds in the page. */
  until(check: string, what: string, timeout?: number): Promise<void>;
}

/** How a tab connects. */
export interface TabOptions {
  user: string;
  group: string;
  /** Share the link with the other tabs (sharedTransport()). @default true */
  share?: boolean;
}

/** Runs in the page: `window.tab` drives a client, `window.tabLog` records what it saw. */
const TAB_SCRIPT = (o: Required<TabOptions>) => `
  const { WebConnectionWebSocket, sharedTransport } = await import('/dist/webconnection-websocket.min.js');
  const log = (window.tabLog = { received: [], roles: [], opens: [], closes: [], states: [], errors: [], results: [] });
  const options = { reconnect: { minDelay: 50, maxDelay: 200 } };
  if (${o.share}) options.transport = sharedTransport({ onRole: (role) => log.roles.push({ role, at: Date.now() }) });
  const socket = new WebConnectionWebSocket(options);
  socket.onMessageHandler = (m) => m.action === 'broadcastchatmessage' && log.received.push(m.message);
  socket.onOpenHandler = () => log.opens.push(Date.now());
  socket.onCloseHandler = (e) => log.closes.push({ code: e.code, reason: e.reason });
  socket.onStateChange = (s) => log.states.push(s.state);
  socket.onErrorHandler = (e) => log.errors.push(e.code);
  const say = (text) => {
    const msg = socket.createBroadcastMessage('broadcastchatmessage', text);
    msg.addRecipient(${JSON.stringify(o.group)}, 'group');
    const result = socket.send(msg);
    log.results.push(result);
    return result;
  };
  window.tab = {
    socket,
    say,
    stream(prefix, count, everyMs) {
      let i = 0;
      const timer = setInterval(() => (++i >= count && clearInterval(timer), say(prefix + '-' + i)), everyMs);
    },
  };
  socket.tryConnect(true, ${JSON.stringify(o.group)}, ${JSON.stringify(o.user)});
`;

/**
 * For a browser suite: opens tabs (pages) in browser contexts it creates, and closes every
 * context after each test. Another context is another browser profile: its tabs share nothing.
 * @example const tabs = useTabs(ctx); const ctx1 = await tabs.context(); const a = await tabs.open(ctx1, url, { user: 'a', group: 'g' });
 */
export function useTabs(ctx: { engine: Engine }) {
  const contexts: EngineContext[] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  return {
    async context(): Promise<EngineContext> {
      const context = await ctx.engine.newContext();
      contexts.push(context);
      return context;
    },
    /** Opens `url` in a new page of `context` and connects; resolves once the client is open. */
    async open(context: EngineContext, url: string, options: TabOptions): Promise<Tab> {
      const page = await context.newPage();
      await page.goto(url);
      await addModuleScript(page, TAB_SCRIPT({ share: true, ...options }));
      type W = { tab: { say(t: string): string; stream(p: string, n: number, ms: number): void; socket: { close(): void } }; tabLog: TabLog };
      const tab: Tab = {
        page,
        say: (text) => page.evaluate((t: string) => (window as unknown as W).tab.say(t), text),
        stream: (prefix, count, everyMs) => page.evaluate((p: string, n: number, ms: number) => (window as unknown as W).tab.stream(p, n, ms), prefix, count, everyMs),
        log: () => page.evaluate(() => (window as unknown as W).tabLog),
        disconnect: () => page.evaluate(() => (window as unknown as W).tab.socket.close()),
        until: async (check, what, timeout = PAGE_WAIT_MS) => {
          try {
            // `check` is source text over `log`: the page evaluates it.
            await waitInPage(page, what, timeout, (c: string) => {
              const log = (window as unknown as { tabLog?: TabLog }).tabLog;
              return !!log && !!(0, eval)(`(log) => (${c})`)(log);
            }, check);
          } catch (err) {
            throw new Error(`${options.user}: ${(err as Error).message} (${check})`);
          }
        },
      };
      await tab.until('log.opens.length > 0', 'the first open');
      return tab;
    },
  };
}
