import { afterEach } from 'vitest';
import { SharePage, type LockManagerLike } from '../../src/transport/share-page';
import type { CloseInfo, Sendable, Transport, TransportConfig, TransportEvents, TransportFactory } from '../../src/transport/types';

interface Request {
  owner: object;
  callback: () => unknown;
  resolve: (value: unknown) => void;
}

/**
 * The Web Locks API for tabs simulated in one Node process: exclusive locks granted in order of
 * request, a request withdrawn by its AbortSignal, and a tab that dies (`kill`) losing its locks
 * and its queued requests at once, as a closed or crashed tab does.
 */
class FakeLocks {
  readonly #held = new Map<string, Request>();
  readonly #queues = new Map<string, Request[]>();

  /** The lock manager of one tab, and how to kill that tab's hold. */
  tab(): { locks: LockManagerLike; kill(): void } {
    const owner = {};
    let dead = false;
    const locks: LockManagerLike = {
      request: (name, { signal }, callback) =>
        new Promise((resolve, reject) => {
          if (dead) return;
          if (signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
          const req: Request = { owner, callback, resolve };
          const queue = this.#queues.get(name) ?? this.#queues.set(name, []).get(name)!;
          queue.push(req);
          signal?.addEventListener('abort', () => {
            const i = queue.indexOf(req);
            if (i >= 0) queue.splice(i, 1), reject(new DOMException('aborted', 'AbortError'));
          });
          this.#grant(name);
        }),
    };
    const kill = () => {
      dead = true;
      for (const [name, queue] of this.#queues) this.#queues.set(name, queue.filter((r) => r.owner !== owner));
      for (const [name, req] of [...this.#held]) if (req.owner === owner) this.#held.delete(name), this.#grant(name);
    };
    return { locks, kill };
  }

  #grant(name: string): void {
    if (this.#held.has(name)) return;
    const req = this.#queues.get(name)?.shift();
    if (!req) return;
    this.#held.set(name, req);
    // Granted in a later task, as browsers do.
    setTimeout(async () => {
      let result: unknown;
      try {
        result = await req.callback();
      } finally {
        if (this.#held.get(name) === req) this.#held.delete(name), this.#grant(name);
        req.resolve(result);
      }
    });
  }
}

/** A simulated tab: a SharePage with its own lock manager and channels, and how to kill it. */
export interface FakeTab {
  page: SharePage;
  /** The tab closes or crashes: its locks go and its channels hear nothing more. */
  kill(): void;
}

/**
 * Tabs of one origin in one Node process (Node's BroadcastChannel reaches every other channel of
 * the same name in the process). Every tab made is killed after each test.
 * @example const tabs = useFakeTabs(); const a = tabs.open(); const b = tabs.open();
 */
export function useFakeTabs(): { open(options?: { slowChannel?: number }): FakeTab } {
  let locks = new FakeLocks();
  const kills: (() => void)[] = [];
  afterEach(() => {
    kills.splice(0).forEach((kill) => kill());
    locks = new FakeLocks();
  });
  return {
    /** @param options.slowChannel ms by which this tab's posts are late, as between busy processes */
    open({ slowChannel }: { slowChannel?: number } = {}) {
      const channels: BroadcastChannel[] = [];
      let dead = false;
      const Channel = class extends BroadcastChannel {
        constructor(name: string) {
          super(name);
          channels.push(this);
        }
        override postMessage(message: unknown): void {
          if (slowChannel === undefined) return super.postMessage(message);
          // Delivered late, but delivered even if this channel closes meanwhile, as a post is.
          setTimeout(() => {
            if (dead) return;
            const late = new BroadcastChannel(this.name);
            late.postMessage(message);
            late.close();
          }, slowChannel);
        }
      };
      const tab = locks.tab();
      const kill = () => {
        dead = true;
        tab.kill();
        channels.splice(0).forEach((c) => c.close());
      };
      kills.push(kill);
      return { page: new SharePage({ locks: tab.locks, Channel }), kill };
    },
  };
}

/** A link run by {@link fakeServer}: the test opens it, pushes frames and breaks it. */
export interface FakeLink extends Transport {
  /** Writable here: a test makes the socket refuse what comes next. */
  isOpen: boolean;
  config: TransportConfig;
  events: TransportEvents;
  /** Set by `close()`. */
  closedWith: [number, string] | undefined;
  reconnects: number;
  bufferedAmount: number;
  open(): void;
  /** The server pushes a frame. */
  push(data: string): void;
  /** The link drops (retry, then close): `unsent` bytes were still in its socket. */
  drop(reason?: string, unsent?: number): void;
}

/**
 * A server seen through the transport interface: every link a leader opens is recorded, and every
 * frame any link sends lands in `wire`, so a test sees what "the server" got and how often.
 */
export function fakeServer(): { wire: Sendable[]; links: FakeLink[]; transport: TransportFactory; current(): FakeLink } {
  const wire: Sendable[] = [];
  const links: FakeLink[] = [];
  const transport: TransportFactory = (config, events) => {
    const link: FakeLink = {
      config,
      events,
      closedWith: undefined,
      reconnects: 0,
      bufferedAmount: 0,
      isOpen: false,
      send(data) {
        if (!link.isOpen || link.closedWith) return false;
        wire.push(data);
        return true;
      },
      reconnect() {
        link.reconnects++;
      },
      close(code, reason) {
        link.closedWith = [code, reason];
        if (link.isOpen) (link.isOpen = false), events.close({ code, reason, wasClean: true, opened: true });
      },
      open() {
        link.isOpen = true;
        events.open();
      },
      push: (data) => events.message(data),
      drop(reason = 'dropped', unsent?: number) {
        const info: CloseInfo = { code: 1006, reason, wasClean: false, opened: true, unsent };
        link.isOpen = false;
        events.retry(1, 10);
        events.close(info);
      },
    };
    links.push(link);
    return link;
  };
  return { wire, links, transport, current: () => links.at(-1)! };
}
