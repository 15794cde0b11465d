import type { Sendable } from './transport/types';

/**
 * Frames waiting for the link, in send order, bounded by `limit`, each beside the message it was
 * made from (what `clear()` hands back). A frame leaves only once the transport took it, so a
 * drop in mid-flush keeps the rest. Taking from the front moves an index, not the array: O(1).
 */
export class Outbox {
  #items: [Sendable, unknown][] = [];
  #head = 0;
  constructor(readonly limit: number) {}

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Queues `frame`; false when the queue is full (the caller reports it). */
  offer(frame: Sendable, message: unknown): boolean {
    return this.size < this.limit && !!this.#items.push([frame, message]);
  }

  /**
   * Sends from the front while `send` takes frames, at most `max` of them; true when some are left.
   * Each frame leaves the queue before `send` runs (and comes back if it is refused), so a handler
   * that `send` sets off (a synchronous transport's reply) sees the queue without it.
   */
  drain(send: (frame: Sendable) => boolean, max: number): boolean {
    while (max-- > 0 && this.size) {
      const items = this.#items;
      const item = items[this.#head]!;
      // Emptied at once, so a long backlog's memory goes as it goes out.
      items[this.#head++] = undefined!;
      if (!send(item[0])) {
        if (items === this.#items) items[--this.#head] = item;
        break;
      }
    }
    const head = this.#head;
    const items = this.#items;
    if (head === items.length) items.length = this.#head = 0;
    // Sends that keep arriving during a long flush: drop the consumed front now and then (amortised O(1)).
    else if (head > 1024 && head * 2 > items.length) items.splice(0, head), (this.#head = 0);
    return this.size > 0;
  }

  /** Empties the queue; returns the messages that were in it, oldest first. */
  clear(): unknown[] {
    const messages = this.#items.slice(this.#head).map((item) => item[1]);
    this.#items = [];
    this.#head = 0;
    return messages;
  }
}
