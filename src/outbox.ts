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

  /** Takes the oldest frame and its message out; the slot is emptied at once, so a long backlog's memory goes as it goes out. */
  take(): [Sendable, unknown] | undefined {
    const items = this.#items;
    const item = items[this.#head];
    if (!item) return undefined;
    items[this.#head++] = undefined!;
    if (this.#head === items.length) items.length = this.#head = 0;
    // Sends that keep arriving during a long flush: drop the consumed front now and then (amortised O(1)).
    else if (this.#head > 1024 && this.#head * 2 > items.length) items.splice(0, this.#head), (this.#head = 0);
    return item;
  }

  /** Puts back what `take()` gave, when the link did not take it. */
  putBack(item: [Sendable, unknown]): void {
    this.requeue([item]);
  }

  /**
   * Puts frames back at the front, in order, beyond the limit: they were accepted before (sent on
   * a link that died, or awaiting the server's acknowledgement), so refusing them now would lose them.
   */
  requeue(items: [Sendable, unknown][]): void {
    this.#items.splice(this.#head, 0, ...items);
  }

  /** Empties the queue; returns the messages that were in it, oldest first. */
  clear(): unknown[] {
    const messages = this.#items.slice(this.#head).map((item) => item[1]);
    this.#items = [];
    this.#head = 0;
    return messages;
  }
}
