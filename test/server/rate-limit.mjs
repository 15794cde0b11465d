// @ts-check
/**
 * A per-connection frame budget: `messages` frames per `perSeconds` window, text and binary alike
 * (a frame type that skipped the count would be the way around it). Past the budget frames are
 * dropped; only the first drop of a window is worth telling the client about, because replies to a
 * flood are themselves a flood the server would have to buffer.
 */

/** @typedef {{ start: number, count: number }} RateWindow */
/** @typedef {'ok' | 'first-drop' | 'drop'} RateVerdict */

/**
 * @param {{ messages: number, perSeconds: number } | false} limit
 * @returns {(window: RateWindow, now: number) => RateVerdict}
 */
export function createRateLimit(limit) {
  if (!limit) return () => 'ok';
  const windowMs = limit.perSeconds * 1000;
  return (window, now) => {
    if (now - window.start >= windowMs) {
      window.start = now;
      window.count = 0;
    }
    const count = ++window.count;
    return count <= limit.messages ? 'ok' : count === limit.messages + 1 ? 'first-drop' : 'drop';
  };
}

/** @param {{ messages: number, perSeconds: number }} limit */
export const rateLimitReason = (limit) =>
  `rate limit exceeded: at most ${limit.messages} frames per ${limit.perSeconds} s; this frame and the rest of this window's are dropped`;
