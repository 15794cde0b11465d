// @ts-check
/**
 * Server-side reading of the Web Connection envelope (docs/protocol.md): one JSON object per text
 * frame with a string `action`; missing strings read as "", missing recipients as []. Everything a
 * client sends passes through here, so every bound on its shape lives here too.
 */

/** @typedef {'group' | 'user' | 'allButUser' | 'allButGroup'} RecipientType */
/** @typedef {{ type: RecipientType, value: string }} Recipient */
/**
 * @typedef {{ action: string, message: string, groupId: string, userId: string,
 *   recipients: Recipient[], [extra: string]: unknown }} Envelope
 */
/** @typedef {{ maxDepth: number, maxRecipients: number }} EnvelopeLimits */

export const RECIPIENT_TYPES = /** @type {const} */ (['group', 'user', 'allButUser', 'allButGroup']);

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests deeper than `max`, found without parsing it. JSON.parse copes with any
 * depth, but JSON.stringify (routing re-serializes) overflows the stack near 5,000, so a deep
 * document must be refused before it becomes a value.
 * @param {string} text
 * @param {number} max
 */
export function nestsDeeperThan(text, max) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * @param {string} text a text frame or HTTP body
 * @param {EnvelopeLimits} limits
 * @returns {{ ok: true, envelope: Envelope } | { ok: false, reason: string }}
 */
export function readEnvelope(text, { maxDepth, maxRecipients }) {
  if (nestsDeeperThan(text, maxDepth)) return { ok: false, reason: `JSON nested deeper than ${maxDepth} levels` };
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${/** @type {Error} */ (err).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}` };
  }
  const v = /** @type {Record<string, unknown>} */ (value);
  if (typeof v.action !== 'string') return { ok: false, reason: `"action" must be a string, got ${typeof v.action}` };
  for (const field of ['message', 'groupId', 'userId']) {
    if (v[field] != null && typeof v[field] !== 'string') return { ok: false, reason: `"${field}" must be a string, got ${typeof v[field]}` };
  }
  const recipients = v.recipients ?? [];
  if (!Array.isArray(recipients)) return { ok: false, reason: '"recipients" must be an array' };
  // Routing work grows with the list, so its length is part of the frame's price.
  if (recipients.length > maxRecipients) return { ok: false, reason: `too many recipients: ${recipients.length}, at most ${maxRecipients}` };
  for (const r of recipients) {
    if (!r || !RECIPIENT_TYPES.includes(r.type) || typeof r.value !== 'string') {
      return { ok: false, reason: `every recipient must be {type, value} with type one of ${RECIPIENT_TYPES.join(', ')}; got ${JSON.stringify(r).slice(0, 100)}` };
    }
  }
  return {
    ok: true,
    envelope: { ...v, action: v.action, message: /** @type {string} */ (v.message ?? ''), groupId: /** @type {string} */ (v.groupId ?? ''), userId: /** @type {string} */ (v.userId ?? ''), recipients },
  };
}

/**
 * A complete envelope from a partial one, for messages the server writes itself.
 * @param {Partial<Envelope>} msg
 * @returns {Envelope}
 */
export const envelope = (msg) => ({ action: '', message: '', groupId: '', userId: '', recipients: [], ...msg });
