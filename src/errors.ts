/**
 * Error classes, one per concern, and the stable codes that travel beside every prose reason.
 * Branch on `err.code` (or `instanceof`), never on the sentences: those may be reworded.
 */

/**
 * Why something happened, as a program can read it. On `StateChange.code`, `closeReason.code`
 * and every error's `code`.
 *
 * Why the state is `closed`:
 * - `client-closed`: `close()` was called.
 * - `retries-exhausted`: `reconnect.maxRetries` attempts in a row failed.
 * - `server-refused`: `reconnect.shouldReconnect` said no after this close (by default: 1008, 4401, 4403).
 * - `no-reconnect`: automatic reconnect is off (`tryConnect(false)`) and the link closed or the attempt failed.
 *
 * Errors:
 * - `connect-failed`, `connect-timeout`, `url-failed`, `socket-threw`: a connection attempt failed ({@link ConnectError}).
 * - `link-silent`: the heartbeat or `staleTimeout` found an open link dead ({@link SilentLinkError}).
 * - `frame-invalid`, `binary-unhandled`: a frame from the server was not delivered ({@link FrameError}).
 * - `queue-full`: `send()` found the queue full ({@link QueueFullError}).
 * - `identity-changed`: `tryConnect()` with a new identity handed back the old one's queue and what it never confirmed ({@link UnsentMessagesError}).
 * - `server-rejected`: with resume, the server refused a message, for now (it is sent again) or for good ({@link DeliveryError}).
 * - `replay-gap`: with resume, the server had lost the session, stopped resuming, or miscounted: what it sent meanwhile may be gone ({@link ReplayGapError}).
 * - `handler-threw`: one of your callbacks threw; the connection is unaffected.
 * - `policy-invalid`: `retryDelay` or `shouldReconnect` threw or gave an unusable value; the default was used.
 * - `feature-failed`: a `liveness`, `network` or codec object misbehaved (threw, returned the wrong shape); the client carried on without it for that step.
 * - `invalid-state`, `invalid-argument`: a call the client cannot honour ({@link InvalidStateError}, {@link ArgumentError}).
 */
export type ReasonCode =
  | 'client-closed'
  | 'retries-exhausted'
  | 'server-refused'
  | 'no-reconnect'
  | 'connect-failed'
  | 'connect-timeout'
  | 'url-failed'
  | 'socket-threw'
  | 'link-silent'
  | 'frame-invalid'
  | 'binary-unhandled'
  | 'queue-full'
  | 'identity-changed'
  | 'server-rejected'
  | 'replay-gap'
  | 'handler-threw'
  | 'policy-invalid'
  | 'feature-failed'
  | 'invalid-state'
  | 'invalid-argument';

/** Base class of every error the SDK reports through `onErrorHandler`. */
export class WebConnectionError extends Error {
  override name = 'WebConnectionError';
  constructor(
    message: string,
    /** What happened, for programs: see {@link ReasonCode}. */
    readonly code: ReasonCode,
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}

/**
 * A frame from the server that was not delivered: the codec could not read it (`frame-invalid`),
 * or it was binary and no `onBinaryHandler` is set (`binary-unhandled`). The connection stays.
 */
export class FrameError extends WebConnectionError {
  override name = 'FrameError';
  constructor(
    reason: string,
    /** The frame as received. */
    readonly frame: unknown,
    code: ReasonCode = 'frame-invalid',
    cause?: unknown,
  ) {
    super(`Frame ignored: ${reason}`, code, cause);
  }
}

/** A connection attempt that failed: refused, timed out, a url function that threw, a WebSocket constructor that threw. */
export class ConnectError extends WebConnectionError {
  override name = 'ConnectError';
}

/** An open link that went silent (heartbeat or `staleTimeout`): it is dropped and counts as broken. */
export class SilentLinkError extends ConnectError {
  override name = 'SilentLinkError';
}

/** `send()` found the queue full: the message was NOT queued; it is attached as `dropped`. */
export class QueueFullError extends WebConnectionError {
  override name = 'QueueFullError';
  constructor(
    /** The message that did not fit. */
    readonly dropped: unknown,
    /** The `queueLimit` in force. */
    readonly limit: number,
  ) {
    super(`Queue full (queueLimit ${limit}): the message was not queued. Raise queueLimit or wait for "open".`, 'queue-full');
  }
}

/**
 * `tryConnect()` with another identity: the messages queued under the previous one are not sent
 * as the new user. They are handed back here, in order, for the app to resend or discard; so are
 * those sent under it that were never confirmed (see `unconfirmed`).
 */
export class UnsentMessagesError extends WebConnectionError {
  override name = 'UnsentMessagesError';
  constructor(
    /** Never sent: the queue, as passed to `send()` (binary data as the copy that was queued). */
    readonly messages: unknown[],
    /**
     * Sent under the previous identity and never confirmed (the resume extension's acknowledgement,
     * or a shared link's leading tab taking them): they may or may not have been processed, so
     * they were not sent again. Oldest first.
     */
    readonly unconfirmed: unknown[] = [],
  ) {
    super(
      `${messages.length} message(s) queued as the previous identity were not sent (err.messages)${unconfirmed.length ? `; ${unconfirmed.length} sent but never confirmed may or may not have been processed (err.unconfirmed)` : ''}.`,
      'identity-changed',
    );
  }
}

/**
 * With our resume extension: the server refused a message (`rejected`, as passed to `send()`):
 * for now (`retrying`, e.g. its rate limit: the message is sent again, and the ones after it) or
 * for good (e.g. invalid: it is never sent again).
 */
export class DeliveryError extends WebConnectionError {
  override name = 'DeliveryError';
  constructor(
    reason: string,
    /** The message the server refused. */
    readonly rejected: unknown,
    /** True when it will be sent again. */
    readonly retrying: boolean,
  ) {
    super(`The server refused a message (${reason}); ${retrying ? 'sending it again' : 'it is not sent again'}.`, 'server-rejected');
  }
}

/**
 * With our resume extension: the server no longer had this client's session (it restarted, or the
 * client was away longer than it keeps one), or it no longer resumes, or its count of what it
 * received did not fit what was sent. What it sent meanwhile may be lost: reload the state you
 * show. The messages it never acknowledged are in `unconfirmed`: it may or may not have processed
 * them, so they were not sent again (that could double them).
 */
export class ReplayGapError extends WebConnectionError {
  override name = 'ReplayGapError';
  constructor(
    /** Sent and never acknowledged, as passed to `send()`, oldest first. */
    readonly unconfirmed: unknown[],
    /** What happened, in words. */
    reason = 'the server lost this session: what it sent meanwhile is gone',
  ) {
    super(`${reason[0]!.toUpperCase()}${reason.slice(1)}; ${unconfirmed.length} message(s) it never acknowledged are in err.unconfirmed.`, 'replay-gap');
  }
}

/** A call made when the client cannot honour it, e.g. `send()` after `close()`. */
export class InvalidStateError extends WebConnectionError {
  override name = 'InvalidStateError';
  constructor(message: string) {
    super(message, 'invalid-state');
  }
}

/**
 * A bad argument or option: the message names it, the value given and what is valid. It is a
 * `TypeError`, as the platform throws for bad arguments; see {@link isWebConnectionError}.
 */
export class ArgumentError extends TypeError {
  override name = 'ArgumentError';
  readonly code: ReasonCode = 'invalid-argument';
}

/** The one template of argument errors: `<what> must be <valid>, got <value>.` plus an optional hint. */
export const badArgument = (what: string, valid: string, value: unknown, hint = ''): ArgumentError =>
  new ArgumentError(`${what} must be ${valid}, got ${show(value)}.${hint && ` ${hint}`}`);

/** A value as a reader recognises it in a message (strings quoted, objects as JSON, cut short). */
export const show = (value: unknown): string => {
  if (typeof value === 'function') return 'a function';
  try {
    if (typeof value === 'string' || (value && typeof value === 'object')) return JSON.stringify(value).slice(0, 80);
  } catch {
    /* circular or BigInt inside: fall through */
  }
  return String(value);
};

/** True for every error this SDK creates, including {@link ArgumentError}. */
export const isWebConnectionError = (err: unknown): err is WebConnectionError | ArgumentError =>
  err instanceof WebConnectionError || err instanceof ArgumentError;
