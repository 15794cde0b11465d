// @ts-check
/**
 * The routing rule (docs/protocol.md): start from the union of every `group` and `user`
 * selection, or from everyone when there is none; then remove `allButUser` / `allButGroup`
 * matches. Each connection at most once; the sender is included when selected.
 *
 * Connections are indexed by group and by user, so a frame costs O(recipients + connections
 * reached), not O(recipients x connections): a flood of long recipient lists must not make every
 * other client wait.
 */

/** @typedef {import('./envelope.mjs').Recipient} Recipient */
/** @typedef {{ groupId: string, userId: string }} Identity */

/** @template {Identity} C */
export class ConnectionIndex {
  /** Every connection, in the order they were added. @type {Set<C>} */
  all = new Set();
  /** @type {Map<string, Set<C>>} */
  #byGroup = new Map();
  /** @type {Map<string, Set<C>>} */
  #byUser = new Map();

  /** @param {C} conn */
  add(conn) {
    this.all.add(conn);
    addTo(this.#byGroup, conn.groupId, conn);
    addTo(this.#byUser, conn.userId, conn);
  }

  /** @param {C} conn */
  delete(conn) {
    if (!this.all.delete(conn)) return;
    removeFrom(this.#byGroup, conn.groupId, conn);
    removeFrom(this.#byUser, conn.userId, conn);
  }

  get size() {
    return this.all.size;
  }

  /**
   * The connections that receive a message with these recipients, each once.
   * @param {readonly Recipient[]} recipients
   * @returns {Set<C>}
   */
  route(recipients) {
    /** @type {Set<C> | undefined} */
    let selected;
    for (const r of recipients) {
      const source = r.type === 'group' ? this.#byGroup : r.type === 'user' ? this.#byUser : undefined;
      if (!source) continue;
      selected ??= new Set();
      for (const c of source.get(r.value) ?? []) selected.add(c);
    }
    const excludes = recipients.filter((r) => r.type === 'allButUser' || r.type === 'allButGroup');
    if (!excludes.length) return selected ?? new Set(this.all);
    const result = selected ?? new Set(this.all);
    for (const r of excludes) {
      for (const c of (r.type === 'allButGroup' ? this.#byGroup : this.#byUser).get(r.value) ?? []) result.delete(c);
    }
    return result;
  }
}

/** @template C @param {Map<string, Set<C>>} map @param {string} key @param {C} conn */
function addTo(map, key, conn) {
  const set = map.get(key);
  if (set) set.add(conn);
  else map.set(key, new Set([conn]));
}

/** @template C @param {Map<string, Set<C>>} map @param {string} key @param {C} conn */
function removeFrom(map, key, conn) {
  const set = map.get(key);
  if (!set) return;
  set.delete(conn);
  // An emptied entry would keep every group name a client ever used alive.
  if (!set.size) map.delete(key);
}
