/**
 * The timers of the attempts under way, one of each kind for all of them rather than two
 * per attempt: the deadline (set for the earliest deadline of the attempts in flight,
 * found by a walk of them all: the map's order is not the deadlines' — a delivery claimed
 * again while its earlier attempt still runs keeps its key's old place), and the lease
 * renewal every half lease, so a slow transport keeps its claim and an attempt whose
 * lease is lost ends at once.
 */
import type { AttemptControl } from './attempt-control.js';
import type { DispatcherContext } from './dispatcher.js';
import type { ClockTimer } from './clock.js';
import { TransportError } from './transport/interface.js';

/** The deadline and renewal timers over a dispatcher's attempts in flight. */
export class AttemptTimers {
  readonly #ctx: DispatcherContext;
  readonly #inFlight: ReadonlyMap<string, AttemptControl>;
  #renewTimer: ClockTimer | undefined;
  #deadlineTimer: ClockTimer | undefined;

  constructor(context: DispatcherContext, inFlight: ReadonlyMap<string, AttemptControl>) {
    this.#ctx = context;
    this.#inFlight = inFlight;
  }

  /** Arms both timers, unless they are armed (after attempts started). */
  arm(): void {
    this.#armRenewal();
    this.#armDeadline();
  }

  /** Clears both: nothing left to renew or time out, and pending timers would only keep a fake clock busy. */
  clear(): void {
    const { clock } = this.#ctx;
    if (this.#renewTimer !== undefined) clock.clearTimer(this.#renewTimer);
    if (this.#deadlineTimer !== undefined) clock.clearTimer(this.#deadlineTimer);
    this.#renewTimer = undefined;
    this.#deadlineTimer = undefined;
  }

  /** Times out attempts past their deadline, then waits for the next one's. */
  #armDeadline(): void {
    if (this.#deadlineTimer !== undefined) return;
    let next: number | undefined;
    for (const control of this.#inFlight.values()) {
      if (control.why === undefined && (next === undefined || control.deadline < next)) next = control.deadline;
    }
    if (next === undefined) return;
    const { clock, settings } = this.#ctx;
    this.#deadlineTimer = clock.setTimer(() => {
      this.#deadlineTimer = undefined;
      const now = clock.now();
      for (const control of this.#inFlight.values()) {
        if (control.deadline <= now) control.end('timeout', new TransportError('timeout', `the transport did not answer within ${settings.attemptTimeoutMs} ms`));
      }
      this.#armDeadline();
    }, Math.max(0, next - clock.now()), 'work');
  }

  /** Renews the leases taken or renewed at least half a lease ago; ends an attempt whose lease is lost. */
  #armRenewal(): void {
    if (this.#renewTimer !== undefined) return;
    const { store, clock, settings, events } = this.#ctx;
    const half = Math.max(1, Math.floor(settings.leaseMs / 2));
    this.#renewTimer = clock.setTimer(() => {
      this.#renewTimer = undefined;
      const now = clock.now();
      for (const control of this.#inFlight.values()) {
        if (now - control.leasedAt < half) continue;
        control.leasedAt = now;
        store.renewLease(control, now, settings.leaseMs).then(
          (held) => {
            if (!held) control.end('lease lost', new TransportError('retryable', 'the lease on this delivery was lost'));
          },
          (error: unknown) => events.reportError(error, 'dispatcher', { deliveryId: control.deliveryId }),
        );
      }
      if (this.#inFlight.size > 0) this.#armRenewal();
    }, half, 'work');
  }
}
