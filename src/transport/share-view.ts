import { ConnectError, WebConnectionError, type ReasonCode } from '../errors';
import { ShareLeader } from './share-leader';
import { byteLength } from './bytes';
import { newId, presenceName, withoutResume, type ToViews } from './share-messages';
import { holdLock, type ShareHub, type SharePage } from './share-page';
import type { CloseInfo, Sendable, Transport, TransportConfig, TransportEvents, TransportFactory, Wait } from './types';

/**
 * Where a client's link is held: by this tab (`leader`) or by another one (`follower`); `alone`
 * when it is not shared (no Web Locks or BroadcastChannel here, or `tryConnect(false)`).
 * @example sharedTransport({ onRole: (role: ShareRole) => (badge.dataset.role = role) })
 */
export type ShareRole = 'leader' | 'follower' | 'alone';

/**
 * Options of `sharedTransport()`; all optional.
 * @example sharedTransport({ key: (url) => `${new URL(url).pathname} ${currentUserId}`, onRole: console.log })
 */
export interface ShareOptions {
  /**
   * Which tabs share a link: those whose key is the same. Gets the resolved URL (with `groupId`
   * and `userId`), e.g. to tell apart users whose identity is only in a token.
   * @default scheme, host and path of the URL, its `groupId` and `userId`, and the `protocols` option
   */
  key?: (url: string) => string;
  /** Told when this client's link is held by this tab (`leader`) or by another one (`follower`), or when it connects on its own (`alone`). */
  onRole?: (role: ShareRole) => void;
  /** The transport the leading tab runs. @default the reconnecting-websocket adapter */
  transport?: TransportFactory;
}

/** What a view needs besides the client's config and events. */
interface ViewSettings {
  /** The transport a leader runs. */
  inner: TransportFactory;
  /** The share key of a resolved URL; tabs with equal keys share. */
  key: (url: string) => string;
  role: (role: ShareRole) => void;
}

/**
 * Builds the shared transport factory for the page `where()` gives, or, when it gives a reason
 * instead (no Web Locks, no BroadcastChannel), the inner transport, said once through the logger.
 * `tryConnect(false)` gets the inner transport too: a link others share reconnects.
 */
export function shareFactory(where: () => SharePage | string, options: ShareOptions): TransportFactory {
  const { key, onRole, transport } = options;
  const told = new Set<string>();
  return (config, events) => {
    const here = where();
    // The client hands every transport its built-in one: this entry need not import it.
    const inner = transport ?? config.builtin;
    const settings: ViewSettings = { inner, key: key ?? ((url) => defaultKey(url, config.protocols)), role: (r) => onRole?.(r) };
    if (typeof here !== 'string' && config.autoReconnect) return new ShareView(here, config, events, settings);
    const why = typeof here === 'string' ? here : 'tryConnect(false) connects on its own: a shared link reconnects';
    if (!told.has(why)) {
      told.add(why);
      config.log?.('share', `not shared: ${why}`);
    }
    const t = inner(config, events);
    tell(settings, events, 'alone');
    return t;
  };
}

/** Calls the onRole option; a throw is reported, never passed on. */
const tell = (settings: ViewSettings, events: TransportEvents, role: ShareRole) => {
  try {
    settings.role(role);
  } catch (err) {
    events.error(new WebConnectionError(`onRole threw: ${(err as Error)?.message ?? err}`, 'handler-threw', err));
  }
};

/** A frame sent to the leader and not yet confirmed (`data` only while it is kept for the channel), or confirmed and maybe still in the socket. */
interface Pending {
  id: number;
  bytes: number;
}

/** Confirmed frames a view counts for a close that may say they never left the socket. */
const SENT_LIMIT = 1000;

/**
 * How long the close of a link whose leader's tab went away waits (unless the next link opens
 * first): a confirmation the old tab sent before it went may arrive after its successor spoke.
 */
const HANDOVER_GRACE_MS = 50;

const WENT_AWAY: CloseInfo = { code: 1006, reason: 'the tab holding the shared connection went away', wasClean: false, opened: true };

/**
 * A copy the caller can no longer change, in a form every channel carries (a SharedArrayBuffer,
 * or a view of one, is copied into an ArrayBuffer).
 */
const own = (data: Sendable): Sendable =>
  typeof data === 'string' || (typeof Blob !== 'undefined' && data instanceof Blob)
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer
      : new Uint8Array(data as ArrayBufferLike).slice().buffer;

/**
 * One client's transport when links are shared: what its client sees is what it would see with a
 * socket of its own, whichever tab holds the link. Every view of a link queues for the election
 * lock; the one that gets it starts a {@link ShareLeader} in its page. A view counts each frame it
 * sends until the leader confirms it; when the link ends (its close, the leader's tab going away,
 * the client's close()) the close says how many bytes never reached the socket, as a socket's
 * close does, and the client queues those frames again: they go on the next link, in order,
 * after what its onOpenHandler sends. Nothing is lost by the handover.
 */
export class ShareView implements Transport {
  /** One session cannot carry several tabs' numbering: a shared link goes without resume. */
  readonly resumable = false;
  readonly #page: SharePage;
  readonly #config: TransportConfig;
  readonly #events: TransportEvents;
  readonly #settings: ViewSettings;
  #closed = false;
  /** Bumped by every start and close, so the async steps of an older one stop. */
  #run = 0;
  #key: string | undefined;
  #hub: ShareHub | undefined;
  /** This run's id towards the leader; empty until the view holds its presence lock and has said hello. */
  #id = '';
  /** Ends this run's locks: its presence, and its place in the election queue. */
  #locks: AbortController | undefined;
  /** The leader this view listens to. */
  #leader: string | undefined;
  #role: ShareRole | undefined;
  /** The open link's id; undefined while there is none. */
  #link: string | undefined;
  #buffered = 0;
  #pending: Pending[] = [];
  #pendingBytes = 0;
  /** Confirmed on this link since the socket last held nothing: a close may hand some back. */
  #sent: Pending[] = [];
  /**
   * The leader's tab went away with the link: its close waits a moment (HANDOVER_GRACE_MS, or
   * until the next link opens), so a confirmation the old leader sent before it went still
   * counts. Then the close says what was never confirmed.
   */
  #wentAway: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;
  /** The backoff after a url function that failed. */
  #wait: Wait | undefined;

  constructor(page: SharePage, config: TransportConfig, events: TransportEvents, settings: ViewSettings) {
    this.#page = page;
    this.#config = config;
    this.#events = events;
    this.#settings = settings;
    void this.#start();
  }

  get isOpen(): boolean {
    return this.#link !== undefined;
  }

  /** The leader's socket's backlog, plus what this view sent that the leader has not confirmed. */
  get bufferedAmount(): number {
    return this.#link === undefined ? 0 : (this.#hub?.leader ? this.#hub.leader.buffered : this.#buffered) + this.#pendingBytes;
  }

  send(data: Sendable): boolean {
    const hub = this.#hub;
    const link = this.#link;
    // A leader that does not confirm (its tab is busy) takes no more than the client would queue.
    if (!hub || link === undefined || this.#pending.length >= Math.max(1, this.#config.queueLimit)) return false;
    const id = ++this.#seq;
    // The leader of this page sends at once; the channel to another tab's needs a copy it can carry.
    const kept = hub.leader ? data : own(data);
    const bytes = byteLength(kept);
    this.#pending.push({ id, bytes });
    this.#pendingBytes += bytes;
    hub.toLeader({ t: 'send', v: this.#id, link, id, data: kept });
    return true;
  }

  reconnect(): void {
    if (this.#closed) return void this.#start();
    if (this.#wait) return this.#wait.wake();
    if (this.#leader) this.#hub?.toLeader({ t: 'reconnect', v: this.#id });
  }

  drop(reason: string): void {
    if (this.#link !== undefined) this.#hub?.toLeader({ t: 'drop', v: this.#id, link: this.#link, reason });
  }

  close(code: number, reason: string): number {
    if (this.#closed) return 0;
    const wasOpen = this.isOpen || !!this.#wentAway;
    clearTimeout(this.#wentAway);
    this.#wentAway = undefined;
    // As a socket's close reports what it still held: the client queues those again (a leader
    // whose link is open may still send them: at least once, as with a socket of its own).
    const unsent = this.#untaken(0);
    this.#leave(code, reason);
    if (wasOpen) this.#events.close({ code, reason, wasClean: true, opened: true, unsent });
    return unsent;
  }

  receive(m: ToViews): void {
    // Before its hello, a view has nothing to follow: the hello itself reaches whoever leads then.
    if (this.#closed || !this.#id) return;
    const events = this.#events;
    const run = this.#run;
    if (m.t === 'leader') {
      if (m.h === this.#leader) return;
      this.#handover();
      if (run === this.#run) this.#hub!.toLeader({ t: 'hello', v: this.#id });
      return;
    }
    if (m.t === 'state') {
      if (m.v !== this.#id) return;
      this.#leader = m.h;
      this.#setRole(this.#hub!.leader ? 'leader' : 'follower');
      if (run !== this.#run) return;
      if (m.link) this.#opened(m.link, m.buffered);
      else if (m.attempt && m.at) events.retry(m.attempt, Math.max(0, m.at - Date.now()));
      return;
    }
    if (m.t === 'ack') {
      // From whichever leader: a leader that has just gone may confirm after its successor spoke
      // (they are different tabs), and what it confirms must not be sent again.
      if (m.v !== this.#id) return;
      const pending = this.#pending;
      let n = 0;
      while (n < pending.length && pending[n]!.id <= m.id) this.#pendingBytes -= pending[n++]!.bytes;
      const confirmed = pending.splice(0, n);
      if (m.h !== this.#leader) return;
      this.#buffered = m.buffered;
      if (m.drained) this.#sent = [];
      for (const p of confirmed) this.#sent.push(p);
      if (this.#sent.length > SENT_LIMIT) this.#sent.splice(0, this.#sent.length - SENT_LIMIT);
      return;
    }
    if (m.h !== this.#leader) return;
    switch (m.t) {
      case 'frame':
        if (this.#link !== undefined) events.message(m.data);
        return;
      case 'open':
        return this.#opened(m.link, 0);
      case 'close': {
        const mine = this.#link !== undefined && this.#link === m.link;
        if (!mine) return m.stop && this.#stopped(m.stop.code, m.stop.reason);
        // From its first frame whose bytes never left the broken socket, and what the leader never took.
        const unsent = this.#untaken(m.unsent?.[this.#id] ?? Infinity);
        this.#link = undefined;
        // As a socket of its own: the stop, then the close of the link that ended with it.
        if (m.stop) this.#stopped(m.stop.code, m.stop.reason);
        events.close({ ...m.info, unsent });
        return;
      }
      case 'retry':
        return events.retry(m.attempt, m.delay);
      case 'stop':
        return this.#stopped(m.code, m.reason);
      case 'error':
        return events.error(m.name === 'ConnectError' ? new ConnectError(m.message, m.code) : new WebConnectionError(m.message, m.code));
    }
  }

  /** Learns the link's key (the url function may fail: then the policy decides, as for a failed attempt), joins its hub and its election. */
  async #start(): Promise<void> {
    const run = ++this.#run;
    this.#closed = false;
    this.#id = '';
    this.#key ??= await this.#resolveKey(run);
    if (run !== this.#run || this.#key === undefined) return;
    // In the hub from now on, so the hub stays open while the presence lock is granted.
    const hub = (this.#hub = this.#page.hub(this.#key));
    hub.views.add(this);
    const id = newId();
    const locks = (this.#locks = new AbortController());
    // Held before the leader hears of this view, so it never finds the view's presence lock free while the view lives.
    if (!(await holdLock(hub.locks, presenceName(hub.name, id), locks.signal)) || run !== this.#run) return;
    this.#id = id;
    hub.toLeader({ t: 'hello', v: id });
    if (run !== this.#run) return;
    hub.locks
      .request(hub.name, { signal: locks.signal }, () => {
        if (run !== this.#run || hub.leader) return;
        return new ShareLeader(hub, this.#config, this.#settings.inner, id).done;
      })
      .catch(() => {});
  }

  async #resolveKey(run: number): Promise<string | undefined> {
    const config = this.#config;
    const events = this.#events;
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let url: string;
      try {
        url = await Promise.race([config.url(), new Promise<never>((_, reject) => (timer = setTimeout(reject, config.connectionTimeout, 0)))]);
      } catch (err) {
        if (run !== this.#run) return;
        const reason = err === 0 ? `url gave none within ${config.connectionTimeout} ms` : `url failed (${String((err as Error)?.message ?? err).replace(/\.$/, '')})`;
        events.error(new ConnectError(`Could not connect: ${reason}.`, err === 0 ? 'connect-timeout' : 'url-failed', err));
        if (run !== this.#run) return;
        const d = config.policy.next({ code: 1006, reason, wasClean: false, opened: false }, 0);
        if (run !== this.#run) return;
        if (d.stop) {
          this.#closed = true;
          events.stop(d.stop, d.reason);
          return;
        }
        events.retry(d.attempt, d.delay);
        const wait = (this.#wait = config.wait(d.delay));
        await wait.promise;
        if (this.#wait === wait) this.#wait = undefined;
        if (run !== this.#run) return;
        continue;
      } finally {
        clearTimeout(timer);
      }
      try {
        // Without what is this client's own (a shared link goes without resume anyway).
        const key = this.#settings.key(withoutResume(url));
        if (typeof key === 'string') return key;
        throw new TypeError(`it returned ${typeof key}`);
      } catch (err) {
        events.error(new WebConnectionError(`The share key function failed (${(err as Error)?.message ?? err}); the default key was used.`, 'feature-failed', err));
        return defaultKey(url, config.protocols);
      }
    }
  }

  /** The link stopped for good (the close that ended it, if any, has said what was never sent). */
  #stopped(code: ReasonCode, reason: string): void {
    const wentAway = this.#wentAway;
    const unsent = this.#untaken(Infinity);
    clearTimeout(wentAway);
    this.#wentAway = undefined;
    this.#leave(1000, 'stopped');
    this.#events.stop(code, reason);
    if (wentAway) this.#events.close({ ...WENT_AWAY, unsent });
  }

  #opened(link: string, buffered: number): void {
    // A view may hear of one link twice (a second hello's state, and the open itself).
    if (this.#link === link) return;
    if (this.#wentAway) {
      const run = this.#run;
      this.#toldGone();
      if (run !== this.#run) return;
    }
    this.#link = link;
    this.#buffered = buffered;
    this.#sent = [];
    this.#events.open();
  }

  /**
   * The leader's tab went away: the link went with it, as far as this client can tell. What the
   * old socket took, it sent as its page closed (or it is lost with it: a shared link goes without
   * resume); what it never took goes on the next link, when the close is told (see #wentAway).
   */
  #handover(): void {
    this.#leader = undefined;
    this.#sent = [];
    if (this.#link === undefined) return;
    this.#link = undefined;
    this.#wentAway = setTimeout(() => this.#toldGone(), HANDOVER_GRACE_MS);
    this.#events.retry(1, 0);
  }

  /** The close of the link whose leader's tab went away, with what was never confirmed. */
  #toldGone(): void {
    clearTimeout(this.#wentAway);
    this.#wentAway = undefined;
    this.#events.close({ ...WENT_AWAY, unsent: this.#untaken(Infinity) });
  }

  /**
   * Forgets the link's frames and returns the bytes of those that never reached the socket: the
   * ones the leader did not confirm, and the confirmed ones from id `from` on (their bytes were
   * still in the broken socket). For the close that tells the client.
   */
  #untaken(from: number): number {
    let bytes = this.#pendingBytes;
    for (const p of this.#sent) if (p.id >= from) bytes += p.bytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#sent = [];
    return bytes;
  }

  #setRole(role: ShareRole): void {
    if (role === this.#role) return;
    this.#role = role;
    this.#config.log?.('share', role === 'leader' ? 'this tab holds the shared connection' : 'connected through another tab');
    tell(this.#settings, this.#events, role);
  }

  /** Leaves the link: tells the leader (the code and reason close it if this was the last view), lets its locks go. */
  #leave(code: number, reason: string): void {
    this.#closed = true;
    clearTimeout(this.#wentAway);
    this.#wentAway = undefined;
    this.#run++;
    this.#link = undefined;
    this.#leader = undefined;
    this.#role = undefined;
    this.#wait?.wake();
    this.#wait = undefined;
    const hub = this.#hub;
    if (!hub) return;
    if (this.#id) hub.toLeader({ t: 'bye', v: this.#id, code, reason });
    this.#locks?.abort();
    hub.views.delete(this);
    hub.release();
    this.#hub = undefined;
  }
}

/**
 * The default share key: scheme, host, path, `groupId` and `userId` of the resolved URL, and the
 * sub-protocols. Other query parameters (a token that changes with every call) do not count.
 */
export const defaultKey = (url: string, protocols: string | string[] | undefined): string => {
  const u = new URL(url);
  return JSON.stringify([`${u.protocol}//${u.host}${u.pathname}`, u.searchParams.get('groupId') ?? '', u.searchParams.get('userId') ?? '', protocols ?? []]);
};
