import type { Sendable } from './transport/types';

/**
 * Frames waiting for the link, in send order, bounded by `limit`, each beside the message it was
 * made from (handed back by `clear()`). A frame leaves only once the transport took it, so a drop
 * in mid-flush keeps the rest. Taking from the front moves an index, not the array: O(1).
 */
export class Outbox {
  #frames: (Sendable | undefined)[] = [];
  #messages: unknown[] = [];
  #head = 0;
  constructor(readonly limit: number) {}

  get size(): number {
    return this.#frames.length - this.#head;
  }

  /** Queues `frame`; false when the queue is full (the caller reports it). */
  offer(frame: Sendable, message: unknown): boolean {
    if (this.size >= this.limit) return false;
    this.#frames.push(frame);
    this.#messages.push(message);
    return true;
  }

  /** The oldest frame, or undefined when empty. */
  peek(): Sendable | undefined {
    return this.#frames[this.#head];
  }

  /** Removes the oldest frame. */
  shift(): void {
    this.#frames[this.#head] = this.#messages[this.#head] = undefined;
    const head = ++this.#head;
    if (head === this.#frames.length) this.clear();
    // Sends that keep arriving during a long flush: drop the consumed front now and then (amortised O(1)).
    else if (head > 1024 && head * 2 > this.#frames.length) {
      this.#frames.splice(0, head);
      this.#messages.splice(0, head);
      this.#head = 0;
    }
  }

  /** Empties the queue; returns the messages that were in it, oldest first. */
  clear(): unknown[] {
    const messages = this.#messages.slice(this.#head);
    this.#frames = [];
    this.#messages = [];
    this.#head = 0;
    return messages;
  }
}
