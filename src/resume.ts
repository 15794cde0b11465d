/**
 * Our resume extension, the client's side of it (docs/protocol.md, "Resume"): the session's
 * bookkeeping, with no timers and no I/O, so the client drives it and tests can read it.
 *
 * The upgrade names a session (`wcSession`) and the last numbered frame received (`wcAck`). A
 * server that supports the extension answers with `wc:hello` as its first frame; one that does
 * not never does, and then nothing here changes a frame. From the hello on, every envelope sent
 * is numbered (`wcSeq`, appended to its JSON) and kept until the server acknowledges it
 * (`wc:ack`, cumulative); after a drop, what was not acknowledged is sent again, with the same
 * numbers, so the server can drop what it already had. Frames from the server are numbered too:
 * a number already seen is a duplicate of a replay and is dropped.
 */

/** The number appended to an envelope's JSON: `…,"wcSeq":17}`. */
const SEQ = /,"wcSeq":\d+\}$/;

/** A message sent under resume, kept until the server acknowledges it. */
interface Unacked {
  seq: number;
  frame: string;
  message: unknown;
}

/** What a hello means for this client. */
export interface Hello {
  /** Messages the server had already processed: acknowledged. */
  acked: unknown[];
  /** The server lost the session (a restart, an expiry, an overflowed buffer) after frames were exchanged in it. */
  gap: boolean;
  /**
   * When it did: the messages sent in the lost session that it never acknowledged. It may or may
   * not have processed them, so they are not sent again (that could double them): the app decides.
   */
  unconfirmed: unknown[];
  /** Messages sent again, because the server has not acknowledged them. */
  resent: number;
}

export class ResumeSession {
  /** Random, per client and identity: a session is one conversation. */
  readonly id = `${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
  /** The server announced resume on some link: before flushing on a new link, wait for its hello. */
  known = false;
  /** The server announced it on this link: envelopes are numbered. */
  active = false;
  /** The last numbered frame from the server that was delivered. */
  lastIn = 0;
  /** `lastIn` as last told to the server. */
  acked = 0;
  #out = 0;
  #unacked: Unacked[] = [];
  /** Where a resend stands in #unacked: entries from here on go out again before anything new. */
  #cursor = Infinity;

  /** The upgrade URL with who this session is and what it received. */
  url(url: string): string {
    const u = new URL(url);
    u.searchParams.set('wcSession', this.id);
    u.searchParams.set('wcAck', String(this.lastIn));
    return u.href;
  }

  /** Messages sent and not yet acknowledged. */
  get pending(): number {
    return this.#unacked.length;
  }

  /** A resend is under way: new messages wait behind it. */
  get resending(): boolean {
    return this.#cursor < this.#unacked.length;
  }

  /** Numbers an envelope's JSON and keeps it until acknowledged (a frame numbered before is sent as it is). */
  number(frame: string, message: unknown): string {
    if (SEQ.test(frame)) return frame;
    const seq = ++this.#out;
    const numbered = `${frame.slice(0, -1)},"wcSeq":${seq}}`;
    this.#unacked.push({ seq, frame: numbered, message });
    return numbered;
  }

  /** The server has everything up to `seq`: those messages, oldest first. */
  acknowledge(seq: number): unknown[] {
    let n = 0;
    while (n < this.#unacked.length && this.#unacked[n]!.seq <= seq) n++;
    this.#cursor = Math.max(0, this.#cursor - n);
    return this.#unacked.splice(0, n).map((e) => e.message);
  }

  /**
   * The server's hello: `resumed` says it still has the session, `received` the last number it
   * processed. What it has not acknowledged is sent again. A fresh session on the server (it lost
   * ours) numbers from 1 again, both ways; what it never acknowledged is handed back, not resent.
   */
  hello(resumed: boolean, received: number): Hello {
    this.known = this.active = true;
    const gap = !resumed && (this.lastIn > 0 || this.#out > 0);
    const acked = resumed ? this.acknowledge(received) : [];
    const unconfirmed = resumed ? [] : this.#unacked.splice(0).map((e) => e.message);
    if (!resumed) this.lastIn = this.acked = this.#out = 0;
    this.#cursor = 0;
    return { acked, gap, unconfirmed, resent: this.#unacked.length };
  }

  /**
   * The server refused frame `seq`: for good (`retry` false: it is dropped from what is kept) or
   * for now (sent again, from it on, when `resendFrom` is called). Returns the message.
   */
  reject(seq: number, retry: boolean): unknown {
    const i = this.#unacked.findIndex((e) => e.seq === seq);
    const message = this.#unacked[i]?.message;
    if (!retry && i >= 0) {
      this.#unacked.splice(i, 1);
      if (this.#cursor > i) this.#cursor--;
    }
    return message;
  }

  /** From `seq` on, what is kept goes out again before anything new. */
  resendFrom(seq: number): void {
    const i = this.#unacked.findIndex((e) => e.seq >= seq);
    this.#cursor = Math.min(this.#cursor, i < 0 ? Infinity : i);
  }

  /** The next frame to send again, if a resend is under way. */
  nextResend(): string | undefined {
    const e = this.#unacked[this.#cursor];
    if (!e) return void (this.#cursor = Infinity);
    this.#cursor++;
    return e.frame;
  }

  /** The last frame from nextResend() did not go out. */
  unresend(): void {
    this.#cursor--;
  }

  /** A numbered frame from the server: true when it is new, false for a duplicate of a replay. */
  fresh(seq: number): boolean {
    if (seq <= this.lastIn) return false;
    this.lastIn = seq;
    return true;
  }

  /**
   * The server stopped announcing resume (no hello within the connection timeout): what was kept
   * goes out as it is, the server being one that ignores the number. Returns it, oldest first.
   */
  abandon(): [string, unknown][] {
    this.known = this.active = false;
    this.#cursor = Infinity;
    return this.#unacked.splice(0).map((e) => [e.frame, e.message]);
  }

  /** Everything kept, for a new identity to hand back. */
  clear(): unknown[] {
    return this.abandon().map((e) => e[1]);
  }
}
