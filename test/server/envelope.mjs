// @ts-check
/**
 * Server-side reading of the Web Connection envelope (docs/protocol.md): one JSON object per text
 * frame with a string `action`; missing strings read as "", missing recipients as [].
 */

/** @typedef {'group' | 'user' | 'allButUser' | 'allButGroup'} RecipientType */
/** @typedef {{ type: RecipientType, value: string }} Recipient */
/**
 * @typedef {{ action: string, message: string, groupId: string, userId: string,
 *   recipients: Recipient[], [extra: string]: unknown }} Envelope
 */

export const RECIPIENT_TYPES = /** @type {const} */ (['group', 'user', 'allButUser', 'allButGroup']);

/**
 * @param {string} text a text frame or HTTP body
 * @returns {{ ok: true, envelope: Envelope } | { ok: false, reason: string }}
 */
export function readEnvelope(text) {
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
  for (const r of recipients) {
    if (!r || !RECIPIENT_TYPES.includes(r.type) || typeof r.value !== 'string') {
      return { ok: false, reason: `every recipient must be {type, value} with type one of ${RECIPIENT_TYPES.join(', ')}; got ${JSON.stringify(r)}` };
    }
  }
  return {
    ok: true,
    envelope: { ...v, action: v.action, message: /** @type {string} */ (v.message ?? ''), groupId: /** @type {string} */ (v.groupId ?? ''), userId: /** @type {string} */ (v.userId ?? ''), recipients },
  };
}
