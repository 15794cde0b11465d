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
  /**
   * Why the conversation has a gap, if it has one: the server lost the session (a restart, an
   * expiry, an overflowed buffer) after frames were exchanged in it, or its count of what it
   * received does not fit what this client sent.
   */
  gap: string | undefined;
  /**
   * When it has: the messages this client sent that the server never acknowledged. It may or may
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
  /** A first link waited for a greeting that did not come: later links do not wait for one. */
  probed = false;
  /** Links in a row of a server known to resume that did not greet: at 2 it no longer counts as resuming. */
  ungreeted = 0;
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

  /** Numbers an envelope's JSON and keeps it until acknowledged. */
  number(frame: string, message: unknown): string {
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
   * A count that does not fit what was sent (more than was ever sent, or less than it had
   * acknowledged) is a gap too: what is kept is handed back, and numbering goes on after its count,
   * which is what the server takes next.
   */
  hello(resumed: boolean, received: number): Hello {
    this.known = this.active = true;
    this.ungreeted = 0;
    this.#cursor = 0;
    const first = this.#unacked[0]?.seq;
    if (resumed && received <= this.#out && (first === undefined || received >= first - 1)) {
      const acked = this.acknowledge(received);
      // Nothing kept: numbering goes on where the server is (numbers given up on were never processed).
      if (!this.#unacked.length) this.#out = received;
      return { acked, gap: undefined, unconfirmed: [], resent: this.#unacked.length };
    }
    const unconfirmed = this.#unacked.splice(0).map((e) => e.message);
    if (resumed) {
      const gap = received > this.#out ? `the server says it processed message ${received}, but only ${this.#out} were sent` : unconfirmed.length ? `the server says it processed up to message ${received}, which it had acknowledged before` : undefined;
      this.#out = received;
      return { acked: [], gap, unconfirmed, resent: 0 };
    }
    const gap = this.lastIn > 0 || this.#out > 0 ? 'the server lost this session: what it sent meanwhile is gone' : undefined;
    this.lastIn = this.acked = this.#out = 0;
    return { acked: [], gap, unconfirmed, resent: 0 };
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

  /**
   * A frame from the server numbered `seq`: `next` (deliver it), `seen` (a duplicate of a replay:
   * drop it), `ahead` (frames before it are missing: the link must be replaced, so the server
   * replays them) or `invalid` (not a positive integer).
   */
  receive(seq: unknown): 'next' | 'seen' | 'ahead' | 'invalid' {
    if (!Number.isSafeInteger(seq) || (seq as number) < 1) return 'invalid';
    if ((seq as number) <= this.lastIn) return 'seen';
    if ((seq as number) > this.lastIn + 1) return 'ahead';
    this.lastIn = seq as number;
    return 'next';
  }

  /**
   * The server no longer announces resume (links in a row without a hello): nothing is numbered
   * until a hello says otherwise. Returns what it never acknowledged, oldest first: it may or may
   * not have processed those, so they are handed back, not sent again.
   */
  abandon(): unknown[] {
    this.known = this.active = false;
    this.#cursor = Infinity;
    return this.#unacked.splice(0).map((e) => e.message);
  }

  /** Everything kept, for a new identity to hand back. */
  clear(): unknown[] {
    return this.abandon();
  }
}
