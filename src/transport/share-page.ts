import type { ShareLeader } from './share-leader';
import { shareName, type ToLeader, type ToViews } from './share-messages';

/** The part of the Web Locks API sharing uses (`navigator.locks`). */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => unknown): Promise<unknown>;
}

/** The part of a BroadcastChannel sharing uses. */
export interface ChannelLike {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

/** What sharing needs from the page: the browser's objects, or fakes in the unit tests. */
export interface ShareEnv {
  locks: LockManagerLike;
  Channel: new (name: string) => ChannelLike;
}

/** The views of a page, by the link they share. */
export interface ShareView {
  receive(message: ToViews): void;
}

/**
 * One shared link as a page sees it: its channel, the page's views of it, and its leader when
 * this page holds the lock. Messages between a leader and the views of its own page are plain
 * calls (a channel never hears itself), so the leader's tab works as it would with its own socket.
 */
export class ShareHub {
  /** The leader, when this page holds the link. */
  leader: ShareLeader | undefined;
  readonly views = new Set<ShareView>();
  readonly #channel: ChannelLike;

  constructor(
    readonly page: SharePage,
    readonly name: string,
    readonly locks: LockManagerLike,
    Channel: ShareEnv['Channel'],
  ) {
    this.#channel = new Channel(name);
    this.#channel.onmessage = ({ data }) => {
      if (!data || typeof data !== 'object') return;
      if ('h' in data) this.#toLocalViews(data as ToViews);
      else this.leader?.receive(data as ToLeader, true);
    };
  }

  toLeader(message: ToLeader): void {
    if (this.leader) this.leader.receive(message, false);
    else this.#channel.postMessage(message);
  }

  /** @param remote whether views in other tabs need it too */
  toViews(message: ToViews, remote: boolean): void {
    if (remote) this.#channel.postMessage(message);
    this.#toLocalViews(message);
  }

  #toLocalViews(message: ToViews): void {
    // A copy: a view may leave (its client closed it) while this is delivered.
    for (const view of [...this.views]) view.receive(message);
  }

  /** Closes the channel once nothing in this page uses the link. */
  release(): void {
    if (this.leader || this.views.size) return;
    this.#channel.close();
    this.page.forget(this);
  }
}

/** The shared links of one page (one per key), in one environment. */
export class SharePage {
  readonly #hubs = new Map<string, ShareHub>();
  constructor(readonly env: ShareEnv) {}

  hub(key: string): ShareHub {
    const name = shareName(key);
    let hub = this.#hubs.get(name);
    if (!hub) this.#hubs.set(name, (hub = new ShareHub(this, name, this.env.locks, this.env.Channel)));
    return hub;
  }

  forget(hub: ShareHub): void {
    if (this.#hubs.get(hub.name) === hub) this.#hubs.delete(hub.name);
  }
}

/**
 * Holds lock `name` from when it is granted until `signal` aborts. Resolves true once held, false
 * if the signal aborted first (or the lock manager refused).
 */
export const holdLock = (locks: LockManagerLike, name: string, signal: AbortSignal): Promise<boolean> =>
  new Promise((held) => {
    locks
      .request(name, { signal }, () => {
        if (signal.aborted) return held(false);
        held(true);
        return new Promise<void>((release) => signal.addEventListener('abort', () => release(), { once: true }));
      })
      .catch(() => held(false));
  });

/** Calls `then` once lock `name` is free, i.e. whoever held it let go or is gone; never after `signal` aborts. */
export const whenFree = (locks: LockManagerLike, name: string, signal: AbortSignal, then: () => void): void => {
  locks
    .request(name, { signal }, () => {
      if (!signal.aborted) then();
    })
    .catch(() => {});
};
