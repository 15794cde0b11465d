import { ArgumentError, show } from '../errors';
import { isRecipientType, type Recipient } from './recipients';

/**
 * The Web Connection message envelope: every frame, both ways, is one JSON object of this shape.
 * Unknown extra fields are preserved on receive.
 */
export interface Envelope<A extends string = string> {
  /** Routing key: server and client dispatch on it. */
  action: A;
  /** The payload: plain text, or a JSON document serialized to a string. */
  message: string;
  /** The sender's group (may be empty). */
  groupId: string;
  /** The sender's user (may be empty). */
  userId: string;
  /** Who gets it; empty means everybody. */
  recipients: Recipient[];
  [extra: string]: unknown;
}

/** Present and not a string: missing (or null) fields read as "". */
const notString = (x: unknown) => x != null && typeof x !== 'string';
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Why `value` is not a valid envelope, or undefined when it is. Outgoing ones (`outgoing`) also need a non-empty action. */
export function envelopeProblem(value: unknown, outgoing?: boolean): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a JSON object, got ${kind(value)}`;
  const v = value as Record<string, unknown>;
  if (typeof v.action !== 'string' || (outgoing && !v.action)) return `"action" must be a ${outgoing ? 'non-empty ' : ''}string, got ${v.action === '' ? '""' : kind(v.action)}`;
  const wrong = notString(v.message) ? 'message' : notString(v.groupId) ? 'groupId' : notString(v.userId) ? 'userId' : '';
  if (wrong) return `"${wrong}" must be a string, got ${kind(v[wrong])}`;
  const r = v.recipients as { type?: unknown; value?: unknown }[] | null | undefined;
  if (r != null) {
    if (!Array.isArray(r)) return `"recipients" must be an array`;
    for (let i = 0; i < r.length; i++) {
      if (!isRecipientType(r[i]?.type) || typeof r[i]!.value !== 'string') return `a recipient must be {type, value} with a known type, got ${show(r[i])}`;
    }
  }
  return undefined;
}

/**
 * Reads a text frame into an envelope, filling missing strings with "" and a missing recipient
 * list with []. Throws a plain `Error` whose message is the precise reason (the caller wraps it).
 */
export function parseEnvelope(text: string): Envelope {
  const value = parseJson(text);
  const problem = envelopeProblem(value);
  if (problem) throw new Error(problem);
  // A fresh object from JSON.parse: fill the gaps in place rather than copy it.
  const v = value as Envelope;
  v.message ??= '';
  v.groupId ??= '';
  v.userId ??= '';
  v.recipients ??= [];
  return v;
}

/** Serializes an outgoing envelope, throwing an {@link ArgumentError} for anything the server would reject. */
export function serializeEnvelope(envelope: unknown): string {
  const problem = envelopeProblem(envelope, true);
  if (problem) throw new ArgumentError(`Cannot send: ${problem}. Use createBroadcastMessage().`);
  return stringify(envelope);
}

/** JSON.parse whose error says first that the frame is not JSON at all. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new Error(`not valid JSON (${(cause as Error).message})`, { cause });
  }
}

/**
 * JSON.stringify with errors a user can act on: circular structures and BigInt throw, and so do
 * values JSON cannot carry at all (a symbol, a function, undefined), which it would silently drop.
 */
export function stringify(value: unknown): string {
  let text: string | undefined;
  let cause: unknown;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    cause = err;
  }
  if (typeof text !== 'string') {
    throw new ArgumentError(`Cannot send ${show(value)} as JSON${cause ? ` (${(cause as Error).message})` : ''}: send plain data, no cycles, BigInt, functions or symbols.`, { cause });
  }
  return text;
}
