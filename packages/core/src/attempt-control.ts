/**
 * The control of one delivery attempt: its deadline, the signal the transport may watch,
 * and a race that rejects when the attempt must end (timed out, lease lost). The
 * AbortController behind the signal is made only when a transport asks for the signal:
 * many transports never do, and it is the costliest object of an attempt. The deadline is
 * enforced by the dispatcher, with one timer for all attempts.
 */
import { toTransportError, type TransportContext, type TransportError } from './transport/interface.js';

/** Why an attempt was ended from outside. */
export type AttemptEnd = 'timeout' | 'lease lost' | 'stopped';

/** Ends one attempt from outside, and hands its transport a signal that says so. */
export class AttemptControl {
  /** Rejects the promise `race` returned, when the attempt is ended from outside. */
  #reject: ((reason: TransportError) => void) | undefined;
  #controller: AbortController | undefined;
  #reason: TransportError | undefined;
  #why: AttemptEnd | undefined;
  /** When the attempt times out (epoch ms). */
  readonly deadline: number;

  constructor(deadline: number) {
    this.deadline = deadline;
  }

  /**
   * Waits for the transport's `work`, or until the attempt is ended from outside,
   * whichever comes first: a transport that ignores its signal is abandoned then. One
   * promise per attempt, where `Promise.race` would take three.
   */
  race(work: Promise<void>): Promise<void> {
    if (this.#reason !== undefined) {
      work.then(undefined, () => undefined); // what it says later no longer matters
      return Promise.reject(this.#reason);
    }
    return new Promise<void>((resolve, reject) => {
      this.#reject = reject;
      work.then(resolve, reject);
    });
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

  /** Ends the attempt: aborts the signal and rejects the race. Only the first call counts. */
  end(why: AttemptEnd, reason: TransportError): void {
    if (this.#why !== undefined) return;
    this.#why = why;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#reject?.(reason);
  }
}

/**
 * Calls the transport (`send`: its `send` or `sendSync`, message and endpoint bound) until
 * it answers or the attempt is ended (timeout, lost lease). Returns nothing on success,
 * the normalized failure, or `lease lost`. A transport that throws (synchronously too)
 * has failed retryably; one that returns no promise is done.
 */
export async function callTransport(
  control: AttemptControl,
  send: (context: TransportContext) => Promise<void> | void,
  now: number,
): Promise<TransportError | 'lease lost' | undefined> {
  const context = {
    now,
    get signal(): AbortSignal {
      return control.signal;
    },
  };
  try {
    // A transport that ignores its signal is abandoned when the attempt ends.
    await control.race(Promise.resolve(send(context)));
    return undefined;
  } catch (error) {
    if (control.why === 'lease lost') return 'lease lost';
    return control.reason ?? toTransportError(error);
  }
}
