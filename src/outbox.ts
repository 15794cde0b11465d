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

  /** Sends from the front while `send` takes frames, at most `max` of them; true when some are left. */
  drain(send: (frame: Sendable) => boolean, max: number): boolean {
    const items = this.#items;
    let head = this.#head;
    // A sent slot is emptied at once, so a long backlog's memory goes as it goes out.
    while (head < items.length && max-- > 0 && send(items[head]![0])) items[head++] = undefined!;
    if (head === items.length) items.length = head = 0;
    // Sends that keep arriving during a long flush: drop the consumed front now and then (amortised O(1)).
    else if (head > 1024 && head * 2 > items.length) items.splice(0, head), (head = 0);
    this.#head = head;
    return head < items.length;
  }

  /** Empties the queue; returns the messages that were in it, oldest first. */
  clear(): unknown[] {
    const messages = this.#items.slice(this.#head).map((item) => item[1]);
    this.#items = [];
    this.#head = 0;
    return messages;
  }
}
