/**
 * The time bound of the store's calls, with one timer for all of them. Every call has the
 * same bound, so calls reach their deadlines in the order they started: the oldest call
 * in flight always has the earliest one. A timer per call would cost two timer-list
 * operations per call, on a path where every microsecond counts.
 */

/** A call in flight. */
interface PendingCall {
  readonly deadline: number;
  readonly reject: (error: unknown) => void;
  readonly timedOut: () => Error;
}

/** Bounds calls to `ms` each; `settle` maps every failure (a closed store reports itself). */
export class CallDeadlines {
  readonly #ms: number;
  readonly #settle: (error: unknown) => unknown;
  /** Calls in flight, oldest first (a Set keeps insertion order and deletes in O(1)). */
  readonly #pending = new Set<PendingCall>();
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number, settle: (error: unknown) => unknown) {
    this.#ms = ms;
    this.#settle = settle;
  }

  /** Settles with `work`, or rejects with `timedOut()` once the bound passes; `work` is left to settle unobserved. */
  bound<T>(work: Promise<T>, timedOut: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { deadline: Date.now() + this.#ms, reject, timedOut };
      this.#pending.add(call);
      this.#arm();
      work.then(
        (value) => {
          this.#pending.delete(call);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(call);
          reject(this.#settle(error));
        },
      );
    });
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    const oldest = this.#pending.values().next();
    if (oldest.done === true) return;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, oldest.value.deadline - Date.now()));
    // Calls in flight keep their connection, and so the process, alive; the timer need not.
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const call of this.#pending) {
      if (call.deadline > now) break;
      this.#pending.delete(call);
      call.reject(this.#settle(call.timedOut()));
    }
    this.#arm();
  }
}
