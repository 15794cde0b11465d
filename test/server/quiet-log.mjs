// @ts-check
/**
 * Logging for events a client can cause at will (bad frames, refused requests, hook failures):
 * at most one line per kind per interval, and the next line says how many were left out, so a
 * hostile client can neither fill the disk nor hide in the noise.
 */

/**
 * @param {(line: string) => void} log
 * @param {number} [intervalMs]
 * @returns {(kind: string, line: string) => void}
 */
export function createQuietLog(log, intervalMs = 10_000) {
  /** @type {Map<string, { until: number, skipped: number }>} */
  const kinds = new Map();
  return (kind, line) => {
    const now = Date.now();
    const seen = kinds.get(kind);
    if (seen && now < seen.until) {
      seen.skipped++;
      return;
    }
    log(seen?.skipped ? `${line} (and ${seen.skipped} more "${kind}" in the last ${Math.round((now - seen.until + intervalMs) / 1000)} s)` : line);
    kinds.set(kind, { until: now + intervalMs, skipped: 0 });
  };
}
