/**
 * The control of one delivery attempt: its deadline, the signal the transport may watch,
 * and the call of the transport, cut short when the attempt must end (timed out, lease
 * lost). The AbortController behind the signal is made only when a transport asks for it:
 * many transports never do, and it is the costliest object of an attempt. The deadline is
 * enforced by the dispatcher, with one timer for all attempts.
 */
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

/** Ends one attempt from outside, and hands its transport a signal that says so. */
export class AttemptControl {
  /** Settles the promise `run` returned, when the attempt is ended from outside. */
  #settle: ((failure: AttemptFailure) => void) | undefined;
  #controller: AbortController | undefined;
  #reason: TransportError | undefined;
  #why: AttemptEnd | undefined;
  /** When the attempt times out (epoch ms). */
  readonly deadline: number;

  constructor(deadline: number) {
    this.deadline = deadline;
  }

  /**
   * Calls the transport (`send`: its `send` or `sendSync`, message and endpoint bound) and
   * resolves when it answers or the attempt is ended from outside (timed out, lease lost),
   * whichever comes first: a transport that ignores its signal is abandoned then. Resolves
   * with nothing on success, the normalized failure, or `lease lost`; never rejects. A
   * transport that throws (synchronously too) has failed retryably; one that returns no
   * promise is done. One promise per attempt, and no async frame: this runs for every
   * delivery, and what it allocates was most of a delivery's garbage.
   */
  run(send: (context: TransportContext) => Promise<void> | void, now: number): Promise<AttemptFailure | undefined> {
    const context = new AttemptContext(this, now);
    let work: Promise<void>;
    try {
      work = Promise.resolve(send(context));
    } catch (error) {
      return Promise.resolve(this.#failure(error));
    }
    if (this.#reason !== undefined) {
      work.then(undefined, () => undefined); // what it says later no longer matters
      return Promise.resolve(this.#failure(this.#reason));
    }
    return new Promise<AttemptFailure | undefined>((resolve) => {
      this.#settle = resolve;
      work.then(
        () => resolve(undefined),
        (error: unknown) => resolve(this.#failure(error)),
      );
    });
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

  /** Ends the attempt: aborts the signal and settles `run`. Only the first call counts. */
  end(why: AttemptEnd, reason: TransportError): void {
    if (this.#why !== undefined) return;
    this.#why = why;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#settle?.(this.#failure(reason));
  }
}
