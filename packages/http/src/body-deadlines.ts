/**
 * The deadlines of the request bodies a handler is reading (`bodyTimeoutMs`), kept on one
 * timer instead of a Node timer made and cleared for every request, which was about a
 * twentieth of the CPU of Herald's path around a send. Every read of one handler has the
 * same timeout, so reads expire in the order they started: a queue, the earliest first.
 * The timer is set for the first deadline; when it fires it expires every read that is
 * due and is set again for the next one. A read that ends leaves the queue at once; the
 * timer, left as it is, finds nothing due when it fires.
 */

import { maxTimerDelayMs } from '@herald/core';

/** One body being read: `expire` is called once its deadline passes, unless it ended first. */
export interface BodyWait {
  /** When it expires, on the monotonic clock of `performance.now()`, in milliseconds. */
  readonly deadline: number;
  readonly expire: () => void;
  previous: BodyWait | undefined;
  next: BodyWait | undefined;
  /** False once it has left the queue: ended, or expired. */
  waiting: boolean;
}

/** The reads of one handler, by deadline. */
export class BodyDeadlines {
  #first: BodyWait | undefined;
  #last: BodyWait | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** @param timeoutMs how long a body may take to arrive, in milliseconds */
  constructor(readonly timeoutMs: number) {}

  /** Starts waiting for a body: `expire` is called `timeoutMs` from now unless {@link end} is called first. */
  start(expire: () => void): BodyWait {
    const wait: BodyWait = { deadline: performance.now() + this.timeoutMs, expire, previous: this.#last, next: undefined, waiting: true };
    if (this.#last === undefined) this.#first = wait;
    else this.#last.next = wait;
    this.#last = wait;
    if (this.#timer === undefined) this.#arm(this.timeoutMs);
    return wait;
  }

  /** The body arrived (or the read failed): it no longer expires. Ending it twice does nothing. */
  end(wait: BodyWait): void {
    if (!wait.waiting) return;
    wait.waiting = false;
    if (wait.previous === undefined) this.#first = wait.next;
    else wait.previous.next = wait.next;
    if (wait.next === undefined) this.#last = wait.previous;
    else wait.next.previous = wait.previous;
    wait.previous = undefined;
    wait.next = undefined;
  }

  #arm(delayMs: number): void {
    // Past a Node timer's longest delay it would fire after 1 ms: wait the longest, then again.
    this.#timer = setTimeout(() => this.#expireDue(), Math.min(delayMs, maxTimerDelayMs));
    // A read that never ends must not keep the process alive, as with a timer per read.
    this.#timer.unref();
  }

  #expireDue(): void {
    this.#timer = undefined;
    const now = performance.now();
    const due: BodyWait[] = [];
    for (let wait = this.#first; wait !== undefined && wait.deadline <= now; wait = this.#first) {
      this.end(wait);
      due.push(wait);
    }
    // Set for the next deadline before any reader's code runs; a timer may fire a fraction
    // of a millisecond before the deadline it was set for, hence at least 1 ms.
    if (this.#first !== undefined) this.#arm(Math.max(1, Math.ceil(this.#first.deadline - now)));
    for (const wait of due) wait.expire();
  }
}
