import { DEFAULT_RECONNECT, NO_RECONNECT_CODES, type CloseInfo } from '../options';

/**
 * Exponential backoff with full jitter: a fresh random delay in [0, bound] on every attempt, so
 * clients dropped together spread out instead of returning together.
 */
export function fullJitterDelay(
  attempt: number,
  { minDelay, maxDelay, factor }: { minDelay: number; maxDelay: number; factor: number } = DEFAULT_RECONNECT,
  random: () => number = Math.random,
): number {
  const bound = Math.min(maxDelay, minDelay * factor ** Math.max(0, attempt - 1));
  return Math.round(random() * bound);
}

/** The default close-code policy: stop on policy violation (1008) and auth failures (4401, 4403). */
export const defaultShouldReconnect = (close: CloseInfo): boolean => !NO_RECONNECT_CODES.includes(close.code);
