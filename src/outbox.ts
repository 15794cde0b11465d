/**
 * Frames waiting for the link, in send order, bounded by `limit`. A frame leaves the queue only
 * once the transport has taken it, so a drop in mid-flush keeps the rest for the next link.
 */
export class Outbox<T> {
  #items: T[] = [];
  constructor(readonly limit: number) {}

  get size(): number {
    return this.#items.length;
  }

  /** Queues `item`; false when the queue is full (the caller reports it). */
  offer(item: T): boolean {
    if (this.#items.length >= this.limit) return false;
    this.#items.push(item);
    return true;
  }

  /** Sends queued items in order while `send` accepts them. */
  flush(send: (item: T) => boolean): void {
    while (this.#items.length && send(this.#items[0]!)) this.#items.shift();
  }
}
