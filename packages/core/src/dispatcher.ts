/**
 * The dispatcher: claims due deliveries from the store with a lease, hands each to its
 * transport, and records the outcome. It sleeps until the store's next due time, wakes
 * at once on a send, and never works a delivery whose lease it does not hold.
 */
import { AttemptControl, type AttemptFailure } from './attempt-control.js';
import { endpointOf, failedOutcome, outcomeWithoutAttempt, transportCall } from './attempt-outcome.js';
import type { Clock, ClockTimer } from './clock.js';
import { HeraldError } from './errors.js';
import type { ServiceEvents } from './emitter.js';
import type { AttemptTracing } from './service-tracing.js';
import type { DeliveryRecord, StoredSubscription } from './records.js';
import type { RetryPolicy } from './retry.js';
import { applyOutcome, cancelReasons } from './store/delivery-transitions.js';
import type { ClaimedDelivery, DeliveryOutcome, LeaseRef, NotificationStore } from './store/interface.js';
import { TransportError, type Transport } from './transport/interface.js';

/** Settings of a {@link Dispatcher}, resolved from the service's options. */
export interface DispatcherSettings {
  readonly instanceId: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly attemptTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly maxRetryAfterMs: number;
  readonly pollIntervalMs: number;
  readonly errorBackoffMs: number;
  readonly random: () => number;
}

/** What the dispatcher works with. */
export interface DispatcherContext {
  readonly store: NotificationStore;
  readonly clock: Clock;
  readonly transports: ReadonlyMap<string, Transport>;
  readonly events: ServiceEvents;
  readonly settings: DispatcherSettings;
  /** Wraps each attempt in a span, when tracing is on. */
  readonly tracing?: AttemptTracing | undefined;
}

/** The outcome of every successful attempt: one frozen object, read by the store and the events, never changed. */
const delivered: DeliveryOutcome = Object.freeze({ status: 'delivered' });

/** An attempt under way: what renewing its lease needs, and its control. */
interface InFlight {
  readonly ref: LeaseRef;
  readonly control: AttemptControl;
  /** When its lease was last taken or renewed. */
  leasedAt: number;
}

/** Claims and works deliveries; one per service. */
export class Dispatcher {
  readonly #ctx: DispatcherContext;
  readonly #inFlight = new Map<string, InFlight>();
  /** Attempts in flight at or below which a finishing attempt claims more work. */
  readonly #lowWater: number;
  #running = false;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #wakeScheduled = false;
  #timer: ClockTimer | undefined;
  #renewTimer: ClockTimer | undefined;
  #deadlineTimer: ClockTimer | undefined;
  #unwatch: (() => void) | undefined;
  #finished: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(context: DispatcherContext) {
    this.#ctx = context;
    // Refilling in batches, not after every single attempt, keeps claims few and large.
    this.#lowWater = Math.floor(context.settings.concurrency / 2);
  }

  /** True between `start` and `stop`. */
  get running(): boolean {
    return this.#running;
  }

  /** Deliveries being attempted right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Starts claiming: now, whenever a send wakes it, and whenever the next delivery falls due. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unwatch = this.#ctx.store.onWake?.(() => this.wake());
    this.wake();
  }

  /**
   * Looks for due deliveries at once (a send just stored some). Wakes in one turn of the
   * event loop are served by one claim, so a burst of sends makes a few large claims
   * rather than many small ones.
   */
  wake(): void {
    if (!this.#running || this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      if (this.#running) void this.#pump();
    });
  }

  /** Stops claiming and waits for the attempts under way to end. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#clearTimer();
    // A claim under way may still hand over deliveries: let it, then wait for their attempts,
    // so none is left claimed (or recorded into a closed store) after the service stops.
    if (this.#pumping !== undefined) await this.#pumping;
    while (this.#inFlight.size > 0) await this.#nextFinish();
  }

  /**
   * Works until nothing is due: claims and attempts every delivery due now, including
   * ones that fall due again while it runs, and resolves when none is left in flight.
   */
  async drain(): Promise<void> {
    for (;;) {
      const started = await this.#claimAndStart();
      if (started > 0 && this.#inFlight.size < this.#ctx.settings.concurrency) continue;
      if (this.#inFlight.size > 0) {
        await this.#nextFinish();
      } else if (this.#pumping !== undefined) {
        await this.#pumping; // the running loop may be between a claim and its attempts
      } else if (started === 0) {
        return;
      }
    }
  }

  /** Resolves when the next attempt finishes. */
  #nextFinish(): Promise<void> {
    if (this.#finished === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.#finished = { promise, resolve };
    }
    return this.#finished.promise;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #setTimer(delayMs: number, purpose: 'work' | 'housekeeping'): void {
    this.#clearTimer();
    this.#timer = this.#ctx.clock.setTimer(() => {
      this.#timer = undefined;
      this.wake();
    }, delayMs, purpose);
  }

  #pump(): Promise<void> {
    if (this.#pumping !== undefined) {
      this.#pumpAgain = true;
      return this.#pumping;
    }
    this.#pumping = this.#pumpOnce().finally(() => {
      this.#pumping = undefined;
      if (this.#pumpAgain && this.#running) void this.#pump();
    });
    return this.#pumping;
  }

  async #pumpOnce(): Promise<void> {
    try {
      do {
        this.#pumpAgain = false;
        while (this.#running && this.#inFlight.size < this.#ctx.settings.concurrency) {
          if ((await this.#claimAndStart()) === 0) break;
        }
      } while (this.#pumpAgain && this.#running);
      if (this.#running) await this.#scheduleNext();
    } catch (error) {
      this.#ctx.events.reportError(error, 'dispatcher');
      if (this.#running) this.#setTimer(this.#ctx.settings.errorBackoffMs, 'work');
    }
  }

  /** Sleeps until the next delivery is due; shared stores are also polled for other processes' work. */
  async #scheduleNext(): Promise<void> {
    if (this.#inFlight.size > this.#lowWater) return; // finishing attempts pump again
    const { store, clock, settings } = this.#ctx;
    const next = await store.nextDueAt();
    if (!this.#running || this.#pumpAgain) return;
    // Shared stores are polled even with wake-ups: a wake-up lost in a reconnect must
    // not strand another process's deliveries.
    if (next === undefined) {
      if (store.capabilities.shared) this.#setTimer(settings.pollIntervalMs, 'housekeeping');
      else this.#clearTimer();
      return;
    }
    const delay = Math.max(0, next - clock.now());
    if (store.capabilities.shared && delay > settings.pollIntervalMs) this.#setTimer(settings.pollIntervalMs, 'housekeeping');
    else this.#setTimer(delay, 'work');
  }

  async #claimAndStart(): Promise<number> {
    const { store, clock, settings } = this.#ctx;
    const free = settings.concurrency - this.#inFlight.size;
    if (free <= 0) return 0;
    const now = clock.now();
    const claims = await store.claimDeliveries({ owner: settings.instanceId, now, leaseMs: settings.leaseMs, limit: free });
    for (const claim of claims) {
      const { delivery } = claim;
      const entry: InFlight = {
        ref: { userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token },
        control: new AttemptControl(now + settings.attemptTimeoutMs),
        leasedAt: now,
      };
      this.#inFlight.set(delivery.id, entry);
      const { tracing } = this.#ctx;
      // One reaction per attempt (not catch + finally): two fewer promises per delivery.
      (tracing === undefined ? this.#attempt(claim, entry) : tracing.attempt(claim, () => this.#attempt(claim, entry))).then(
        () => this.#finish(delivery.id, entry),
        (error: unknown) => this.#failed(claim, entry, error),
      );
    }
    if (claims.length > 0) {
      this.#armRenewal();
      this.#armDeadline();
    }
    return claims.length;
  }

  /** An attempt that failed inside the dispatcher: reported, released, then finished. */
  async #failed(claim: ClaimedDelivery, entry: InFlight, error: unknown): Promise<void> {
    const { delivery } = claim;
    try {
      this.#ctx.events.reportError(error, 'dispatcher', { deliveryId: delivery.id, notificationId: delivery.notificationId });
      await this.#release(entry.ref, delivery, error);
    } finally {
      this.#finish(delivery.id, entry);
    }
  }

  #finish(deliveryId: string, entry: InFlight): void {
    if (this.#inFlight.get(deliveryId) === entry) this.#inFlight.delete(deliveryId);
    if (this.#inFlight.size === 0) {
      // Nothing left to renew or time out: pending timers would only keep a fake clock busy.
      if (this.#renewTimer !== undefined) this.#ctx.clock.clearTimer(this.#renewTimer);
      if (this.#deadlineTimer !== undefined) this.#ctx.clock.clearTimer(this.#deadlineTimer);
      this.#renewTimer = undefined;
      this.#deadlineTimer = undefined;
    }
    const finished = this.#finished;
    this.#finished = undefined;
    finished?.resolve();
    if (this.#running && this.#inFlight.size <= this.#lowWater) this.wake();
  }

  /**
   * Times out attempts with one timer for all: attempts start in order and share one
   * timeout, so the oldest in flight always has the earliest deadline.
   */
  #armDeadline(): void {
    if (this.#deadlineTimer !== undefined) return;
    let next: number | undefined;
    for (const entry of this.#inFlight.values()) {
      if (entry.control.why === undefined) {
        next = entry.control.deadline;
        break;
      }
    }
    if (next === undefined) return;
    const { clock, settings } = this.#ctx;
    this.#deadlineTimer = clock.setTimer(() => {
      this.#deadlineTimer = undefined;
      const now = clock.now();
      for (const entry of this.#inFlight.values()) {
        if (entry.control.deadline > now) break;
        entry.control.end('timeout', new TransportError('timeout', `the transport did not answer within ${settings.attemptTimeoutMs} ms`));
      }
      this.#armDeadline();
    }, Math.max(0, next - clock.now()), 'work');
  }

  /**
   * Renews, every half lease, the leases of attempts still running, so a slow transport
   * keeps its claim; an attempt whose lease is lost is ended at once.
   */
  #armRenewal(): void {
    if (this.#renewTimer !== undefined) return;
    const { store, clock, settings } = this.#ctx;
    const half = Math.max(1, Math.floor(settings.leaseMs / 2));
    this.#renewTimer = clock.setTimer(() => {
      this.#renewTimer = undefined;
      const now = clock.now();
      for (const entry of this.#inFlight.values()) {
        if (now - entry.leasedAt < half) continue;
        entry.leasedAt = now;
        store.renewLease(entry.ref, now, settings.leaseMs).then(
          (held) => {
            if (!held) entry.control.end('lease lost', new TransportError('retryable', 'the lease on this delivery was lost'));
          },
          (error: unknown) => this.#ctx.events.reportError(error, 'dispatcher', { deliveryId: entry.ref.deliveryId }),
        );
      }
      if (this.#inFlight.size > 0) this.#armRenewal();
    }, half, 'work');
  }

  /**
   * Attempts one claimed delivery; resolves with the outcome it recorded, if the store
   * took it. A promise chain, not an async function: this runs for every delivery, and an
   * async frame per step was most of what a delivery allocated. What throws rejects.
   */
  #attempt(claim: ClaimedDelivery, entry: InFlight): Promise<DeliveryOutcome | undefined> {
    try {
      const { clock, transports } = this.#ctx;
      const { delivery } = claim;
      const { ref } = entry;
      const startedAt = clock.now();

      const skip = outcomeWithoutAttempt(claim, startedAt);
      if (skip !== undefined) return this.#stored(ref, skip, startedAt).then((held) => (held ? skip : undefined));
      const transport = transports.get(delivery.transport);
      if (transport === undefined) {
        const error = new HeraldError('UNKNOWN_TRANSPORT', `no transport named ${JSON.stringify(delivery.transport)} is registered with this service`);
        return this.#record(ref, delivery, { status: 'dead', error: { code: error.code, message: error.message } }, error);
      }
      const send = transportCall(claim, transport, endpointOf(claim.subscription as StoredSubscription));
      if (send === undefined) {
        // The transport registered under this name now carries no sync messages.
        const cancelled: DeliveryOutcome = { status: 'cancelled', reason: cancelReasons.transportCarriesNoSync };
        return this.#stored(ref, cancelled, startedAt).then((held) => (held ? cancelled : undefined));
      }
      return entry.control
        .run(send, startedAt)
        .then((failure) => (failure === undefined ? this.#record(ref, delivery, delivered, undefined) : this.#afterFailure(claim, entry, transport, failure)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Records how a failed attempt ends (see `failedOutcome`); an endpoint gone also deactivates its subscription. */
  async #afterFailure(claim: ClaimedDelivery, entry: InFlight, transport: Transport, failure: AttemptFailure): Promise<DeliveryOutcome | undefined> {
    if (failure === 'lease lost') return undefined; // another instance holds it now; it records the outcome
    const { store, clock, events, settings } = this.#ctx;
    const finishedAt = clock.now();
    const { outcome, error } = failedOutcome(failure, claim.delivery.attempts + 1, transport.retry ?? settings.retry, settings, finishedAt);
    const recorded = await this.#record(entry.ref, claim.delivery, outcome, error);
    if (failure.failure === 'endpointGone') {
      const reason = `endpoint gone: ${failure.message}`.slice(0, 512);
      const updated = await store.updateSubscription((claim.subscription as StoredSubscription).id, { status: 'inactive', statusReason: reason }, finishedAt);
      if (updated !== undefined) events.emit('subscription.deactivated', { subscription: updated });
    }
    return recorded;
  }

  /**
   * Ends an attempt that failed inside the dispatcher (a store call, a bug) as a failed
   * attempt, so the delivery is not left claimed until its lease runs out; a store that
   * is down refuses this too, and then the lease's expiry returns the delivery.
   */
  async #release(ref: LeaseRef, delivery: DeliveryRecord, cause: unknown): Promise<void> {
    const { clock, settings, transports } = this.#ctx;
    const policy = transports.get(delivery.transport)?.retry ?? settings.retry;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new HeraldError('DISPATCH_ERROR', `the attempt could not be finished: ${reason}`, { cause });
    const stored = { code: error.code, message: error.message };
    const outcome: DeliveryOutcome = delivery.attempts + 1 >= policy.maxAttempts ? { status: 'dead', error: stored } : { status: 'failed', nextAttemptAt: clock.now() + settings.errorBackoffMs, error: stored };
    await this.#record(ref, delivery, outcome, error).catch(() => undefined);
  }

  /** The store's `completeDelivery`, always as a promise (a store that throws rejects it). */
  #stored(ref: LeaseRef, outcome: DeliveryOutcome, now: number): Promise<boolean> {
    try {
      return Promise.resolve(this.#ctx.store.completeDelivery(ref, outcome, now));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Records an attempt's outcome and emits its event; resolves with the outcome, or `undefined` when the lease was gone. */
  #record(ref: LeaseRef, delivery: DeliveryRecord, outcome: DeliveryOutcome, error: HeraldError | undefined): Promise<DeliveryOutcome | undefined> {
    const { clock, events } = this.#ctx;
    const now = clock.now();
    return this.#stored(ref, outcome, now).then((held) => {
      if (!held) return undefined;
      if (outcome.status === 'delivered') {
        if (events.has('delivery.succeeded')) events.emit('delivery.succeeded', { delivery: applyOutcome(delivery, outcome, now) });
      } else if (outcome.status === 'failed' && error instanceof TransportError) {
        events.emit('delivery.failed', { delivery: applyOutcome(delivery, outcome, now), error, nextAttemptAt: outcome.nextAttemptAt });
      } else if (outcome.status === 'dead' && error !== undefined) {
        events.emit('delivery.dead', { delivery: applyOutcome(delivery, outcome, now), error });
      }
      return outcome;
    });
  }
}
