/**
 * The control of one delivery attempt: its deadline, the signal the transport may watch,
 * and the call of the transport, cut short when the attempt must end (timed out, lease
 * lost). The AbortController behind the signal is made only when a transport asks for it:
 * many transports never do, and it is the costliest object of an attempt. The deadline is
 * enforced by the dispatcher, with one timer for all attempts.
 *
 * One object per attempt under way: it is also the attempt's proof of its lease (a
 * `LeaseRef` the store reads), so a delivery costs the dispatcher one object, not three.
 */
import type { ClaimedDelivery, LeaseRef } from './store/interface.js';
import { toTransportError, type TransportContext, type TransportError } from './transport/interface.js';

/** How an attempt that did not succeed ended: the transport's failure (normalized), or its lease lost. */
export type AttemptFailure = TransportError | 'lease lost';

/** Why an attempt was ended from outside. */
export type AttemptEnd = 'timeout' | 'lease lost' | 'stopped';

/**
 * What the transport gets besides message and endpoint. A class, so `signal` is a getter
 * of its prototype: an object literal's getter is a new closure and accessor per attempt.
 */
class AttemptContext implements TransportContext {
  readonly #control: AttemptControl;
  readonly now: number;

  constructor(control: AttemptControl, now: number) {
    this.#control = control;
    this.now = now;
  }

  get signal(): AbortSignal {
    return this.#control.signal;
  }
}

/** Hears how the transport call of an attempt ended: once per attempt, never synchronously inside `run` or `end`. */
export interface AttemptListener {
  /** `failure` is `undefined` when the transport succeeded. */
  transportEnded(control: AttemptControl, failure: AttemptFailure | undefined): void;
}

/** Ends one attempt from outside, and hands its transport a signal that says so. */
export class AttemptControl implements LeaseRef {
  /** Told how the transport call ended, while it is under way. */
  #listener: AttemptListener | undefined;
  #controller: AbortController | undefined;
  #reason: TransportError | undefined;
  #why: AttemptEnd | undefined;
  /** The delivery's user (`LeaseRef`). */
  readonly userId: string;
  /** The delivery (`LeaseRef`). */
  readonly deliveryId: string;
  /** The token of the claim (`LeaseRef`). */
  readonly token: string;
  /** What the claim handed over. */
  readonly claim: ClaimedDelivery;
  /** When the attempt times out (epoch ms). */
  readonly deadline: number;
  /** When its lease was last taken or renewed (epoch ms). */
  leasedAt: number;

  constructor(claim: ClaimedDelivery, leasedAt: number, deadline: number) {
    const { delivery } = claim;
    this.userId = delivery.userId;
    this.deliveryId = delivery.id;
    this.token = delivery.lease.token;
    this.claim = claim;
    this.leasedAt = leasedAt;
    this.deadline = deadline;
  }

  /**
   * Calls the transport (`send`: its `send` or `sendSync`, message and endpoint bound) and
   * tells `listener` when it answers or the attempt is ended from outside (timed out,
   * lease lost), whichever comes first: a transport that ignores its signal is abandoned
   * then. The listener hears nothing on success, the normalized failure, or `lease lost`.
   * A transport that throws (synchronously too) has failed retryably; one that returns no
   * promise is done. No promise of its own and no async frame: this runs for every
   * delivery, and what it allocates was most of a delivery's garbage.
   */
  run(send: (context: TransportContext) => Promise<void> | void, now: number, listener: AttemptListener): void {
    const context = new AttemptContext(this, now);
    const endedBefore = this.#why !== undefined;
    this.#listener = listener;
    let work: Promise<void>;
    try {
      work = Promise.resolve(send(context));
    } catch (error) {
      const failure = this.#failure(error);
      queueMicrotask(() => this.#settle(failure));
      return;
    }
    if (this.#reason !== undefined) {
      work.then(undefined, () => undefined); // what it says later no longer matters
      // Ended while the transport was being called: `end` told the listener; before it: tell it now.
      if (endedBefore) {
        const failure = this.#failure(this.#reason);
        queueMicrotask(() => this.#settle(failure));
      }
      return;
    }
    work.then(
      () => this.#settle(undefined),
      (error: unknown) => this.#settle(this.#failure(error)),
    );
  }

  /** Tells the listener, the first time only. */
  #settle(failure: AttemptFailure | undefined): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    this.#listener = undefined;
    listener.transportEnded(this, failure);
  }

  /** What an attempt that did not succeed records: an end from outside wins over what the transport said. */
  #failure(error: unknown): AttemptFailure {
    if (this.#why === 'lease lost') return 'lease lost';
    return this.#reason ?? toTransportError(error);
  }

  /** The signal handed to the transport, aborted when the attempt is ended. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Why the attempt was ended from outside, if it was. */
  get why(): AttemptEnd | undefined {
    return this.#why;
  }

  /** The failure to record for an attempt ended from outside. */
  get reason(): TransportError | undefined {
    return this.#reason;
  }

  /** Ends the attempt: aborts the signal and, in a later microtask, tells the listener. Only the first call counts. */
  end(why: AttemptEnd, reason: TransportError): void {
    if (this.#why !== undefined) return;
    this.#why = why;
    this.#reason = reason;
    this.#controller?.abort(reason);
    if (this.#listener !== undefined) {
      const failure = this.#failure(reason);
      queueMicrotask(() => this.#settle(failure));
    }
  }
}
