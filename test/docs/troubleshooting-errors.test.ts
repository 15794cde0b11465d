import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket } from '../../src/index';
import { REPO } from '../helpers/packed-package';

/**
 * docs/troubleshooting.md quotes error messages so a user can search for what they see: every
 * `ArgumentError: ...` it quotes must be the start of what the SDK really throws (a quote ending in
 * "..." stands for the rest).
 */
afterEach(() => vi.unstubAllGlobals());

/** What the SDK throws where the guide says it does. */
function thrown(): string[] {
  const messages: string[] = [];
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      messages.push(`${(err as Error).name}: ${(err as Error).message}`);
    }
  };
  // Node before 22: no global WebSocket, none passed.
  vi.stubGlobal('WebSocket', undefined);
  attempt(() => new WebConnectionWebSocket({ url: 'ws://127.0.0.1:9/' }).tryConnect());
  vi.unstubAllGlobals();
  // No page to resolve a relative url against (Node, workers, SSR): the default url is relative.
  attempt(() => new WebConnectionWebSocket({ WebSocket: class {} as never }).tryConnect());
  return messages;
}

describe('docs/troubleshooting.md', () => {
  it('quotes error messages as the SDK throws them', () => {
    const guide = readFileSync(`${REPO}/docs/troubleshooting.md`, 'utf8');
    const quotes = [...guide.matchAll(/`(ArgumentError: [^`]+)`/g)].map((m) => m[1]!.replace(/\s*\.\.\.$/, ''));
    expect(quotes.length).toBeGreaterThanOrEqual(3);
    const real = thrown();
    expect(real).toHaveLength(2);
    for (const quote of quotes) expect(real.some((m) => m.startsWith(quote)), `"${quote}" is not how any of these starts:\n${real.join('\n')}`).toBe(true);
  });
});
