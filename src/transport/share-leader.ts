import type { ReasonCode } from '../errors';
import { byteLength } from './bytes';
import { newId, presenceName, withoutResume, type ToLeader, type ToViews } from './share-messages';
import { whenFree, type ShareHub } from './share-page';
import type { Sendable, Transport, TransportConfig, TransportFactory } from './types';

/** How long a view whose presence lock came free may take to say bye. */
const BYE_GRACE_MS = 100;

/** Frames the leader remembers of the open link, to say whose bytes a broken one still held. */
const LOG_LIMIT = 1000;

type Announcement = ToViews extends infer M ? (M extends unknown ? Omit<M, 'h'> : never) : never;

/**
 * The tab that holds the election lock runs the real transport for every tab of the link: it
 * relays each event to the views, hands their frames to the socket and confirms each one. It lives
 * while any view does (its own page's client may close before the others), then closes the link
 * and lets the lock go. It runs with the config of the view that won the lock (url, policy, wait,
 * logger): tabs of one app pass the same options.
 */
export class ShareLeader {
  readonly id = newId();
  /** Views known to be alive, each with the watch that tells when it is gone. */
  readonly #views = new Map<string, AbortController>();
  /** Those in other tabs: without any, nothing goes on the channel but the announcement. */
  readonly #remote = new Set<string>();
  readonly #hub: ShareHub;
  #real: Transport | undefined;
  /** The open link's id: frames a view addressed to an earlier link are not sent on this one. */
  #link: string | undefined;
  #retry: { attempt: number; at: number } | undefined;
  #stopped = false;
  /** A stop waits for the close that follows it (if any), so views hear both, in that order, at once. */
  #stop: { code: ReasonCode; reason: string } | undefined;
  /** What the views sent on this link since the socket last held nothing: whose frames a broken link held. */
  #log: { v: string; id: number; data: Sendable }[] = [];
  #ended = false;
  /**
   * The page is going away: what it posts now may never reach the other tabs while its socket
   * still sends, so it sends nothing more; the views send it again on the next leader's link.
   */
  #leaving = false;
  readonly #onPageHide = (ev: Event) => (this.#leaving = !(ev as PageTransitionEvent).persisted);
  #release!: () => void;
  /** Settles when the leader ends: the lock is held until then. */
  readonly done = new Promise<void>((r) => (this.#release = r));

  /** @param first the view that won the lock: it counts from the start, so the leader ends with it if no other view comes. */
  constructor(hub: ShareHub, config: TransportConfig, inner: TransportFactory, first: string) {
    this.#hub = hub;
    hub.leader = this;
    this.#watch(first);
    globalThis.addEventListener?.('pagehide', this.#onPageHide);
    // First the views hear of it: one may close in the handover that follows (its handlers run),
    // and a leader no view needs starts no socket.
    this.#post({ t: 'leader' });
    if (this.#ended) return;
    // One session cannot carry several tabs' numbering: a shared link goes without resume.
    const url = config.url;
    config = {
      ...config,
      url: async () => withoutResume(await url()),
    };
    const live =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) =>
        !this.#ended && fn(...args);
    try {
      this.#real = inner(config, {
        open: live(() => {
          this.#retry = undefined;
          this.#log = [];
          this.#post({ t: 'open', link: (this.#link = newId()) });
        }),
        message: live((data) => this.#post({ t: 'frame', data })),
        close: live(({ unsent, ...info }) => {
          const link = this.#link;
          const stop = this.#stop;
          this.#link = this.#stop = undefined;
          this.#post({ t: 'close', link, info, unsent: this.#unsentBy(unsent), stop });
          this.#log = [];
        }),
        retry: live((attempt, delay) => {
          this.#retry = { attempt, at: Date.now() + delay };
          this.#post({ t: 'retry', attempt, delay });
        }),
        // The views close; the link starts again when a view says hello. The close of an open
        // link comes right after (the same call), and goes with it.
        stop: live((code, reason) => {
          this.#stopped = true;
          this.#stop = { code, reason };
          queueMicrotask(() => {
            if (!this.#stop || this.#ended) return;
            this.#stop = undefined;
            this.#post({ t: 'stop', code, reason });
          });
        }),
        error: live((err) => this.#post({ t: 'error', name: err.name, code: err.code, message: err.message })),
      });
    } catch (err) {
      const reason = `the shared transport could not start (${(err as Error)?.message ?? err})`;
      this.#post({ t: 'error', name: 'WebConnectionError', code: 'feature-failed', message: `${reason}.` });
      this.#stopped = true;
      this.#post({ t: 'stop', code: 'feature-failed', reason });
    }
  }

  /** Bytes the socket has not yet sent. */
  get buffered(): number {
    return this.#link ? (this.#real?.bufferedAmount ?? 0) : 0;
  }

  /** @param remote whether it came over the channel, from another tab */
  receive(m: ToLeader, remote: boolean): void {
    if (this.#ended) return;
    const real = this.#real;
    switch (m.t) {
      case 'hello': {
        this.#watch(m.v);
        if (remote) this.#remote.add(m.v);
        this.#post({ t: 'state', v: m.v, link: this.#link, buffered: this.buffered, ...this.#retry });
        // A view that comes to a stopped link wants a connection, as a fresh socket would try.
        if (this.#stopped) this.#restart();
        return;
      }
      case 'send': {
        if (m.link !== this.#link || this.#leaving || !real?.isOpen) return;
        const drained = !real.bufferedAmount;
        if (!real.send(m.data)) return;
        if (drained) this.#log.length = 0;
        if (this.#log.push({ v: m.v, id: m.id, data: m.data }) > LOG_LIMIT) this.#log.shift();
        this.#post({ t: 'ack', v: m.v, id: m.id, buffered: this.buffered, drained });
        return;
      }
      case 'reconnect':
        return this.#restart();
      case 'drop':
        if (m.link === this.#link) real?.drop ? real.drop(m.reason) : real?.reconnect();
        return;
      case 'bye':
        return this.#leave(m.v, m.code, m.reason);
    }
  }

  /** Per view, its first frame among the last `unsent` bytes the socket never sent. */
  #unsentBy(unsent: number | undefined): Record<string, number> | undefined {
    if (!unsent) return undefined;
    const first: Record<string, number> = {};
    for (let i = this.#log.length - 1; i >= 0 && unsent > 0; i--) {
      const { v, id, data } = this.#log[i]!;
      unsent -= byteLength(data);
      first[v] = id;
    }
    return first;
  }

  /** Counts a view until it leaves or its presence lock comes free. */
  #watch(view: string): void {
    if (this.#views.has(view)) return;
    const watch = new AbortController();
    this.#views.set(view, watch);
    // A view that closes says bye, then lets its lock go; the two travel apart, so the bye (and
    // the close code it carries, if it is the last view) gets a moment to arrive first.
    whenFree(this.#hub.locks, presenceName(this.#hub.name, view), watch.signal, () => setTimeout(() => this.#leave(view), BYE_GRACE_MS));
  }

  #restart(): void {
    this.#stopped = false;
    this.#real?.reconnect();
  }

  #post(m: Announcement): void {
    const to = 'v' in m ? m.v : undefined;
    try {
      this.#hub.toViews({ ...m, h: this.id } as ToViews, m.t === 'leader' || (to ? this.#remote.has(to) : this.#remote.size > 0));
    } catch (err) {
      // Something the channel cannot carry must not break the link for the other tabs.
      if (m.t !== 'error') this.#post({ t: 'error', name: 'WebConnectionError', code: 'feature-failed', message: `The shared connection could not pass on a ${m.t} (${(err as Error)?.message ?? err}).` });
    }
  }

  /** A view closed (`bye`) or vanished (its presence lock came free); the last one takes the link with it. */
  #leave(view: string, code = 1000, reason = 'no tab uses the shared connection'): void {
    const watch = this.#views.get(view);
    if (!watch || this.#ended) return;
    this.#views.delete(view);
    this.#remote.delete(view);
    watch.abort();
    if (this.#views.size) return;
    this.#ended = true;
    globalThis.removeEventListener?.('pagehide', this.#onPageHide);
    this.#hub.leader = undefined;
    this.#real?.close(code, reason);
    this.#release();
    this.#hub.release();
  }
}
