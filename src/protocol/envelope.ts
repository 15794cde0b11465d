import { ArgumentError } from '../errors';
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

/** Present and not a string (missing fields read as ""). */
const notString = (x: unknown) => x != null && typeof x !== 'string';

/** Why a frame is not a valid envelope, or undefined when it is. */
export function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.action !== 'string') return `"action" must be a string, got ${typeof v.action}`;
  const wrong = notString(v.message) ? 'message' : notString(v.groupId) ? 'groupId' : notString(v.userId) ? 'userId' : undefined;
  if (wrong) return `"${wrong}" must be a string, got ${typeof v[wrong]}`;
  const r = v.recipients;
  if (r !== undefined && r !== null) {
    if (!Array.isArray(r)) return `"recipients" must be an array`;
    for (const item of r as unknown[]) {
      const rec = item as Partial<Recipient> | null;
      if (!rec || !isRecipientType(rec.type) || typeof rec.value !== 'string') {
        return `every recipient must be {type, value} with a known type, got ${JSON.stringify(item)}`;
      }
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
  const problem = envelopeProblem(envelope);
  if (problem) throw new ArgumentError(`Cannot send this message: ${problem}. Build it with createBroadcastMessage(action, message).`);
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

/** JSON.stringify with errors a user can act on (circular structures, BigInt). */
export function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (cause) {
    throw new ArgumentError(
      `Cannot serialize the payload to JSON (${(cause as Error).message}). Send plain data: no circular references, no BigInt.`,
      { cause },
    );
  }
}
