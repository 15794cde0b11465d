/**
 * The messages tabs exchange to share one link (docs/sharing.md has the whole exchange). They
 * travel over a BroadcastChannel, or as plain calls between a leader and the views of its own
 * page. Views speak to the leader; the leader answers one view (`v`) or tells them all, and names
 * itself (`h`) in every message, so a view ignores what a leader it has left behind still says.
 */
import type { ReasonCode } from '../errors';
import type { CloseInfo, Frame, Sendable } from './types';

/**
 * Names the channel and the election lock of one shared link. The number is the version of these
 * messages: tabs running an incompatible SDK never meet.
 */
export const shareName = (key: string): string => `webconnection-websocket/share/1 ${key}`;

/** The lock a view holds while it lives: when the leader can take it, the view is gone. */
export const presenceName = (name: string, view: string): string => `${name} view ${view}`;

/** A view to the leader. `v` is the view's id, new at every (re)start of a view. */
export type ToLeader =
  /** A view (re)starts, or answers a new leader: the leader replies with `state`. */
  | { t: 'hello'; v: string }
  /**
   * A frame to transmit on link `link` (and no other: a later link gets it again from the view).
   * `id` grows with every message of a view; the leader confirms it with `ack`.
   */
  | { t: 'send'; v: string; link: string; id: number; data: Sendable }
  /** Drop the link and connect again now, with the backoff reset. */
  | { t: 'reconnect'; v: string }
  /** The view's liveness check found link `link` silent: drop it as broken. */
  | { t: 'drop'; v: string; link: string; reason: string }
  /** The view closed; if it was the last one, the link closes with this code and reason. */
  | { t: 'bye'; v: string; code: number; reason: string };

/** The leader to the views; `h` is the leader's id. */
export type ToViews = { h: string } & (
  /** A new leader holds the lock: every view says `hello` to it. */
  | { t: 'leader' }
  /** The reply to view `v`'s hello: the open link's id, if any, else the retry under way. */
  | { t: 'state'; v: string; link?: string; buffered: number; attempt?: number; at?: number }
  | { t: 'open'; link: string }
  | { t: 'frame'; data: Frame }
  /**
   * The link closed. `unsent`: per view, its first message whose bytes were still in the socket
   * (they go again on the next link); the close info's own `unsent` is left out, as it counts
   * every tab's bytes. `stop`: the link stopped with this close (it is told first).
   */
  | { t: 'close'; link?: string; info: CloseInfo; unsent?: Record<string, number>; stop?: { code: ReasonCode; reason: string } }
  | { t: 'retry'; attempt: number; delay: number }
  /** The link stopped for good (retries exhausted, refused): the views close; a new hello starts it again. */
  | { t: 'stop'; code: ReasonCode; reason: string }
  | { t: 'error'; name: string; code: ReasonCode; message: string }
  /**
   * Message `id` of view `v` is confirmed: handed to the socket. With an acknowledging server
   * (resume, issue 13) the same message can mean "the server has it". `drained`: the socket held
   * nothing before it, so everything the view sent earlier has left.
   */
  | { t: 'ack'; v: string; id: number; buffered: number; drained: boolean }
);

/** An id no other tab will draw. */
export const newId = (): string => Math.random().toString(36).slice(2) + Date.now().toString(36);

/**
 * A URL without the query parameters that ask for resume (src/resume.ts names them; a unit test
 * checks a shared link's upgrade carries neither): one session cannot carry several tabs'
 * numbering. Named here, not imported, so the resume module stays in the core's file.
 */
export const withoutResume = (url: string): string => {
  const u = new URL(url);
  u.searchParams.delete('wcSession');
  u.searchParams.delete('wcAck');
  return u.href;
};
