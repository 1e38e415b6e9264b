/**
 * The dispatcher: claims due deliveries from the store with a lease, hands each to its
 * transport, and records the outcome. It sleeps until the store's next due time, wakes
 * at once on a send, and never works a delivery whose lease it does not hold.
 */
import { AttemptControl, type AttemptFailure, type AttemptListener } from './attempt-control.js';
import { AttemptTimers } from './attempt-timers.js';
import { endpointOf, failedOutcome, outcomeWithoutAttempt, transportCall } from './attempt-outcome.js';
import type { Clock, ClockTimer } from './clock.js';
import { HeraldError } from './errors.js';
import type { ServiceEvents } from './emitter.js';
import type { AttemptTracing } from './service-tracing.js';
import type { DeliveryRecord, StoredSubscription } from './records.js';
import type { RetryPolicy } from './retry.js';
import { applyOutcome, cancelReasons } from './store/delivery-transitions.js';
import type { DeliveryOutcome, LeaseRef, NotificationStore } from './store/interface.js';
import { TransportError, type Transport } from './transport/interface.js';
import { messageOfThrown } from './thrown-text.js';

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

/** Claims and works deliveries; one per service. */
export class Dispatcher {
  readonly #ctx: DispatcherContext;
  /** Attempts under way by delivery id: each control is also its attempt's lease ref. */
  readonly #inFlight = new Map<string, AttemptControl>();
  /** Hears every attempt's transport call end: one object for all, not a closure per attempt. */
  readonly #listener: AttemptListener = { transportEnded: (control, failure) => this.#transportEnded(control, failure) };
  /** The ends of traced attempts, which run inside a span's promise; empty without tracing. */
  readonly #traced = new Map<AttemptControl, { resolve: (outcome: DeliveryOutcome | undefined) => void; reject: (error: unknown) => void }>();
  /** Attempts in flight at or below which a finishing attempt claims more work. */
  readonly #lowWater: number;
  #running = false;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #wakeScheduled = false;
  #timer: ClockTimer | undefined;
  /** The deadline and lease-renewal timers of the attempts in flight. */
  readonly #timers: AttemptTimers;
  #unwatch: (() => void) | undefined;
  #finished: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(context: DispatcherContext) {
    this.#ctx = context;
    this.#timers = new AttemptTimers(context, this.#inFlight);
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
    const { store, clock, settings, tracing } = this.#ctx;
    const free = settings.concurrency - this.#inFlight.size;
    if (free <= 0) return 0;
    const now = clock.now();
    const claims = await store.claimDeliveries({ owner: settings.instanceId, now, leaseMs: settings.leaseMs, limit: free });
    for (const claim of claims) {
      const control = new AttemptControl(claim, now, now + settings.attemptTimeoutMs);
      this.#inFlight.set(control.deliveryId, control);
      if (tracing === undefined) {
        this.#attempt(control);
        continue;
      }
      const run = (): Promise<DeliveryOutcome | undefined> =>
        new Promise((resolve, reject) => {
          this.#traced.set(control, { resolve, reject });
          this.#attempt(control);
        });
      tracing.attempt(claim, run).then(
        () => this.#finish(control),
        (error: unknown) => this.#failed(control, error),
      );
    }
    if (claims.length > 0) this.#timers.arm();
    return claims.length;
  }

  /** An attempt ended: its outcome recorded, or `undefined` when the store no longer leased it to us. */
  #done(control: AttemptControl, outcome: DeliveryOutcome | undefined): void {
    const traced = this.#traced.get(control);
    if (traced === undefined) return this.#finish(control);
    this.#traced.delete(control);
    traced.resolve(outcome);
  }

  /** An attempt that failed inside the dispatcher (a store call, a bug). */
  #fail(control: AttemptControl, error: unknown): void {
    const traced = this.#traced.get(control);
    if (traced === undefined) return void this.#failed(control, error);
    this.#traced.delete(control);
    traced.reject(error);
  }

  /** Ends `control` when `recorded` settles. */
  #settleWith(control: AttemptControl, recorded: Promise<DeliveryOutcome | undefined>): void {
    recorded.then(
      (outcome) => this.#done(control, outcome),
      (error: unknown) => this.#fail(control, error),
    );
  }

  /** An attempt that failed inside the dispatcher: reported, released, then finished. */
  async #failed(control: AttemptControl, error: unknown): Promise<void> {
    const { delivery } = control.claim;
    try {
      this.#ctx.events.reportError(error, 'dispatcher', { deliveryId: delivery.id, notificationId: delivery.notificationId });
      await this.#release(control, delivery, error);
    } finally {
      this.#finish(control);
    }
  }

  #finish(control: AttemptControl): void {
    if (this.#inFlight.get(control.deliveryId) === control) this.#inFlight.delete(control.deliveryId);
    if (this.#inFlight.size === 0) this.#timers.clear();
    const finished = this.#finished;
    this.#finished = undefined;
    finished?.resolve();
    if (this.#running && this.#inFlight.size <= this.#lowWater) this.wake();
  }

  /**
   * Attempts one claimed delivery, then records its outcome (`#transportEnded`). Callbacks
   * on the control, not an async function or a chain of promises: this runs for every
   * delivery, and an async frame or a promise per step was most of what a delivery
   * allocated. What throws ends the attempt through `#fail`.
   */
  #attempt(control: AttemptControl): void {
    try {
      const { clock, transports } = this.#ctx;
      const { claim } = control;
      const { delivery } = claim;
      const startedAt = clock.now();

      const skip = outcomeWithoutAttempt(claim, startedAt);
      if (skip !== undefined) return this.#settleWith(control, this.#stored(control, skip, startedAt).then((held) => (held ? skip : undefined)));
      const transport = transports.get(delivery.transport);
      if (transport === undefined) {
        const error = new HeraldError('UNKNOWN_TRANSPORT', `no transport named ${JSON.stringify(delivery.transport)} is registered with this service`);
        return this.#settleWith(control, this.#record(control, delivery, { status: 'dead', error: { code: error.code, message: error.message } }, error));
      }
      const send = transportCall(claim, transport, endpointOf(claim.subscription as StoredSubscription));
      if (send === undefined) {
        // The transport registered under this name now carries no sync messages.
        const cancelled: DeliveryOutcome = { status: 'cancelled', reason: cancelReasons.transportCarriesNoSync };
        return this.#settleWith(control, this.#stored(control, cancelled, startedAt).then((held) => (held ? cancelled : undefined)));
      }
      control.run(send, startedAt, this.#listener);
    } catch (error) {
      this.#fail(control, error);
    }
  }

  /** The transport answered (or the attempt was ended from outside): records the outcome. */
  #transportEnded(control: AttemptControl, failure: AttemptFailure | undefined): void {
    if (failure !== undefined) return this.#settleWith(control, this.#afterFailure(control, failure));
    // The common case, with one reaction: the record's promise straight to the end.
    const now = this.#ctx.clock.now();
    const { delivery } = control.claim;
    this.#stored(control, delivered, now).then(
      (held) => {
        if (held) this.#emitRecorded(delivery, delivered, undefined, now);
        this.#done(control, held ? delivered : undefined);
      },
      (error: unknown) => this.#fail(control, error),
    );
  }

  /** Records how a failed attempt ends (see `failedOutcome`); an endpoint gone also deactivates its subscription. */
  async #afterFailure(control: AttemptControl, failure: AttemptFailure): Promise<DeliveryOutcome | undefined> {
    if (failure === 'lease lost') return undefined; // another instance holds it now; it records the outcome
    const { store, clock, events, settings } = this.#ctx;
    const { claim } = control;
    const transport = this.#ctx.transports.get(claim.delivery.transport) as Transport;
    const finishedAt = clock.now();
    const { outcome, error } = failedOutcome(failure, claim.delivery.attempts + 1, transport.retry ?? settings.retry, settings, finishedAt);
    const recorded = await this.#record(control, claim.delivery, outcome, error);
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
    const reason = messageOfThrown(cause);
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
    const now = this.#ctx.clock.now();
    return this.#stored(ref, outcome, now).then((held) => {
      if (!held) return undefined;
      this.#emitRecorded(delivery, outcome, error, now);
      return outcome;
    });
  }

  /** The event of an outcome the store recorded at `now`. */
  #emitRecorded(delivery: DeliveryRecord, outcome: DeliveryOutcome, error: HeraldError | undefined, now: number): void {
    const { events } = this.#ctx;
    if (outcome.status === 'delivered') {
      if (events.has('delivery.succeeded')) events.emit('delivery.succeeded', { delivery: applyOutcome(delivery, outcome, now) });
    } else if (outcome.status === 'failed' && error instanceof TransportError) {
      events.emit('delivery.failed', { delivery: applyOutcome(delivery, outcome, now), error, nextAttemptAt: outcome.nextAttemptAt });
    } else if (outcome.status === 'dead' && error !== undefined) {
      events.emit('delivery.dead', { delivery: applyOutcome(delivery, outcome, now), error });
    }
  }
}
