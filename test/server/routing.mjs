// @ts-check
/**
 * The routing rule (docs/protocol.md): start from the union of every `group` and `user`
 * selection, or from everyone when there is none; then remove `allButUser` / `allButGroup`
 * matches. Each connection at most once; the sender is included when selected.
 */

/** @typedef {import('./envelope.mjs').Recipient} Recipient */
/** @typedef {{ groupId: string, userId: string }} Identity */

/**
 * @template {Identity} C
 * @param {{ recipients: Recipient[] }} envelope
 * @param {Iterable<C>} connections
 * @returns {C[]} the connections that receive the message, each once, in connection order
 */
export function route(envelope, connections) {
  const all = [...connections];
  const selectors = envelope.recipients.filter((r) => r.type === 'group' || r.type === 'user');
  const start = selectors.length
    ? all.filter((c) => selectors.some((r) => (r.type === 'group' ? c.groupId : c.userId) === r.value))
    : all;
  return start.filter(
    (c) => !envelope.recipients.some((r) => (r.type === 'allButUser' && c.userId === r.value) || (r.type === 'allButGroup' && c.groupId === r.value)),
  );
}
