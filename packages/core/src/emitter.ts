/**
 * The service's event emitter: eventemitter3 underneath, typed with {@link HeraldEvents},
 * and isolated so that a throwing listener neither breaks the operation that emitted
 * nor keeps the other listeners from running.
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from './clock.js';
import type { HeraldEventName, HeraldEvents } from './events.js';
import { codeOf, processWarningLogger, type LogFields, type Logger } from './logger.js';

/** The first argument of an event's listener. */
export type HeraldEventPayload<E extends HeraldEventName> = Parameters<HeraldEvents[E]>[0];

/** Subscribing to a service's events. */
export interface HeraldEventSource {
  /** Calls `listener` on every `event`; returns a function that removes it. */
  on<E extends HeraldEventName>(event: E, listener: HeraldEvents[E]): () => void;
  /** Calls `listener` on the next `event` only; returns a function that removes it. */
  once<E extends HeraldEventName>(event: E, listener: HeraldEvents[E]): () => void;
  /** Removes a listener added with `on` or `once`. */
  off<E extends HeraldEventName>(event: E, listener: HeraldEvents[E]): void;
}

type Listener = (payload: never) => void;

/** The ids a background failure concerns, when it concerns a delivery. */
export interface FailureIds {
  readonly deliveryId: string;
  readonly notificationId?: string;
}

/** The emitter behind a service's {@link HeraldEventSource}. */
export class ServiceEvents implements HeraldEventSource {
  readonly #emitter = new EventEmitter<HeraldEvents>();
  /** Each listener's guarded wrapper, per event, so `off` finds what `on` registered. */
  readonly #guards = new WeakMap<Listener, Map<HeraldEventName, Listener>>();
  /** The service's logger (component `service`), if one was given. */
  readonly #logger: Logger | undefined;
  /** The service's clock, for the last resort's window. */
  readonly #clock: Clock;
  /**
   * The last resort for a failure nobody listens for nor logs: a process warning, never a
   * crash. One per service, made when first needed, on the service's clock: the repeats
   * of a failure are folded per service, in the service's time (a fake clock's in tests).
   */
  #lastResort: Logger | undefined;

  constructor(logger: Logger | undefined, clock: Clock) {
    this.#logger = logger;
    this.#clock = clock;
  }

  on<E extends HeraldEventName>(event: E, listener: HeraldEvents[E]): () => void {
    this.#emitter.on(event, this.#guard(event, listener as Listener) as never);
    return () => this.off(event, listener);
  }

  once<E extends HeraldEventName>(event: E, listener: HeraldEvents[E]): () => void {
    this.#emitter.once(event, this.#guard(event, listener as Listener) as never);
    return () => this.off(event, listener);
  }

  off<E extends HeraldEventName>(event: E, listener: HeraldEvents[E]): void {
    const guarded = this.#guards.get(listener as Listener)?.get(event);
    if (guarded !== undefined) this.#emitter.off(event, guarded as never);
  }

  /** True when somebody listens to `event`: building a payload can then be skipped. */
  has(event: HeraldEventName): boolean {
    return this.#emitter.listenerCount(event) > 0;
  }

  /**
   * Calls every listener of `event`. A listener that throws is reported as an `error`
   * event (or, with no error listener, as a process warning) and the others still run.
   */
  emit<E extends HeraldEventName>(event: E, payload: HeraldEventPayload<E>): void {
    if (this.#emitter.listenerCount(event) === 0) return;
    (this.#emitter.emit as (event: E, payload: HeraldEventPayload<E>) => boolean)(event, payload);
  }

  /** Wraps a listener so that what it throws is reported instead of breaking the emitter. */
  #guard(event: HeraldEventName, listener: Listener): Listener {
    let byEvent = this.#guards.get(listener);
    if (byEvent === undefined) this.#guards.set(listener, (byEvent = new Map()));
    let guarded = byEvent.get(event);
    if (guarded === undefined) {
      guarded = ((payload: never) => {
        try {
          listener(payload);
        } catch (error) {
          if (event === 'error') {
            // Reporting it as an error event again could loop.
            this.#logError({ code: codeOf(error), source: 'error listener', err: error }, 'an error listener threw');
          } else {
            this.reportError(error, `listener of ${event}`);
          }
        }
      }) as Listener;
      byEvent.set(event, guarded);
    }
    return guarded;
  }

  /**
   * Reports a background failure: to `error` listeners, and to the logger when one was
   * given (as `error`, with `code`, `source`, the ids and `err`); with neither, as a
   * process warning (`HERALD_BACKGROUND_ERROR`), its repeats folded by
   * {@link processWarningLogger}'s window.
   */
  reportError(error: unknown, source: string, ids?: FailureIds): void {
    const listened = this.#emitter.listenerCount('error') > 0;
    if (listened) this.#emitter.emit('error', { error, source, ...ids });
    if (this.#logger === undefined && listened) return;
    this.#logError({ code: codeOf(error), source, ...ids, err: error }, `${source} failed`);
  }

  /** Logs a failure to the service's logger, or as a process warning when there is none (or it throws). */
  #logError(fields: LogFields, message: string): void {
    try {
      if (this.#logger !== undefined) return this.#logger.error(fields, message);
    } catch {
      // A logger that throws must not turn a reported failure into a crash.
    }
    (this.#lastResort ??= processWarningLogger(undefined, undefined, { clock: this.#clock }).child({ component: 'service' })).error(fields, message);
  }
}
