/**
 * Error classes, one per concern. Every error the SDK raises or reports is one of these, so a
 * handler can branch with `instanceof` (or `err.name`) instead of comparing message strings.
 */

/** Base class of every error the SDK reports through `onErrorHandler`. */
export class WebConnectionError extends Error {
  override name = 'WebConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A frame from the server that the codec could not read (not JSON, not an object, an `action`
 * that is not a string, ...). The connection is kept and later frames are still delivered.
 */
export class FrameError extends WebConnectionError {
  override name = 'FrameError';
  /** The raw frame as received. */
  readonly frame: unknown;
  constructor(reason: string, frame: unknown, options?: { cause?: unknown }) {
    super(`Ignored a malformed frame from the server: ${reason}`, options);
    this.frame = frame;
  }
}

/** A connection attempt that failed: refused, timed out, or closed before it opened. */
export class ConnectError extends WebConnectionError {
  override name = 'ConnectError';
  /** The URL that was tried, when one was resolved. */
  readonly url: string | undefined;
  constructor(message: string, url?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.url = url;
  }
}

/**
 * `send()` found the queue full while the connection was down. The message was NOT queued;
 * it is attached as `dropped` so nothing is lost silently.
 */
export class QueueFullError extends WebConnectionError {
  override name = 'QueueFullError';
  constructor(
    /** The message that did not fit. */
    readonly dropped: unknown,
    /** The `queueLimit` in force. */
    readonly limit: number,
  ) {
    super(
      `The send queue is full (queueLimit ${limit}) while the connection is down: the message was not queued. ` +
        'Raise `queueLimit`, or wait for `state === "open"` before sending.',
    );
  }
}

/** A call made when the client cannot honour it, e.g. `send()` after `close()`. */
export class InvalidStateError extends WebConnectionError {
  override name = 'InvalidStateError';
}

/**
 * A bad argument (an unknown recipient type, a payload that cannot be serialized, an invalid URL).
 * It is a `TypeError`, as the platform throws for bad arguments; see {@link isWebConnectionError}.
 */
export class ArgumentError extends TypeError {
  override name = 'ArgumentError';
}

/** True for every error this SDK creates, including {@link ArgumentError}. */
export const isWebConnectionError = (err: unknown): err is WebConnectionError | ArgumentError =>
  err instanceof WebConnectionError || err instanceof ArgumentError;
