// @ts-check
/**
 * The last messages of each group, in memory only (a restart forgets them), so a page that joins
 * late or comes back after an outage sees what was said: the vendor's chat sample expects them as
 * one `initialmessages` frame whose `message` is a JSON array of envelopes (seed 002).
 *
 * Bounded three ways: `size` messages per group, `maxBytes` per group, and `maxGroups` groups (the
 * one written least recently is forgotten first). Sizes are counted as the entry will travel:
 * escaped inside the `message` string of the `initialmessages` frame.
 */

/**
 * @param {{ size: number, maxBytes: number, maxGroups: number }} limits
 */
export function createHistory({ size, maxBytes, maxGroups }) {
  /** Group -> serialized envelopes, oldest first, with their sizes, and the total. @type {Map<string, { texts: string[], sizes: number[], bytes: number }>} */
  const groups = new Map();

  return {
    /**
     * Keeps one serialized envelope in a group's history.
     * @param {string} groupId
     * @param {string} text the envelope exactly as it was sent to the group
     */
    record(groupId, text) {
      // JSON.stringify of the text is how it is escaped inside `message`; less its quotes, plus a comma.
      const bytes = Buffer.byteLength(JSON.stringify(text)) - 1;
      if (!size || bytes > maxBytes) return;
      let kept = groups.get(groupId);
      // Re-inserting moves the group to the end of the Map's order: the first key is the stalest.
      if (kept) groups.delete(groupId);
      else kept = { texts: [], sizes: [], bytes: 0 };
      groups.set(groupId, kept);
      kept.texts.push(text);
      kept.sizes.push(bytes);
      kept.bytes += bytes;
      while (kept.texts.length > size || kept.bytes > maxBytes) {
        kept.texts.shift();
        kept.bytes -= /** @type {number} */ (kept.sizes.shift());
      }
      if (groups.size > maxGroups) groups.delete(/** @type {string} */ (groups.keys().next().value));
    },
    /**
     * The group's newest messages that fit in `budget` bytes once escaped, as the text of a JSON
     * array, oldest first; undefined when there are none.
     * @param {string} groupId
     * @param {number} budget
     */
    replay(groupId, budget) {
      const kept = groups.get(groupId);
      if (!kept) return undefined;
      let first = kept.texts.length;
      for (let used = 0; first > 0 && used + kept.sizes[first - 1] <= budget; first--) used += kept.sizes[first - 1];
      return first < kept.texts.length ? `[${kept.texts.slice(first).join(',')}]` : undefined;
    },
  };
}

/** @typedef {ReturnType<typeof createHistory>} History */
