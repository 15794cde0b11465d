import { describe, expect, it } from 'vitest';
import { WebConnectionWebSocket } from '../../src/index';
import { peakPerWindow, reconnectStorm } from '../helpers/storm.mjs';

describe('fault: reconnect storm after a server restart', () => {
  it('peakPerWindow counts the busiest 100 ms', () => {
    expect(peakPerWindow([0, 10, 99, 100, 150, 500])).toBe(3);
    expect(peakPerWindow([])).toBe(0);
  });

  it('200 clients all come back; full jitter spreads the attempts, a fixed delay does not', { timeout: 60_000 }, async () => {
    const jittered = await reconnectStorm(WebConnectionWebSocket, 200, { minDelay: 1000, maxDelay: 2000 });
    const fixed = await reconnectStorm(WebConnectionWebSocket, 200, { retryDelay: () => 1000 });
    console.log(
      `storm of 200: peak attempts per 100 ms — with full jitter ${jittered.peak} (${jittered.attempts} attempts, all back in ${jittered.allBackMs} ms); ` +
        `fixed delay ${fixed.peak} (${fixed.attempts} attempts, all back in ${fixed.allBackMs} ms)`,
    );
    expect(jittered.peak).toBeLessThan(fixed.peak);
    // A fixed delay brings most of the 200 back in one 100 ms window (all 200 on an idle machine;
    // a loaded one spreads a few as its event loop lags).
    expect(fixed.peak).toBeGreaterThanOrEqual(100);
  });
});
