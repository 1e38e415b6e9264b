/**
 * The service's event emitter: eventemitter3 underneath, typed with {@link HeraldEvents},
 * and isolated so that a throwing listener neither breaks the operation that emitted
 * nor keeps the other listeners from running.
 */
import { EventEmitter } from 'eventemitter3';
import type { HeraldEventName, HeraldEvents } from './events.js';

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

/** The last resort for a failure nobody listens for: a process warning, never a crash. */
function warn(text: string): void {
  process.emitWarning(`[herald] ${text}`, { code: 'HERALD_BACKGROUND_ERROR' });
}

function describe(error: unknown, withStack: boolean): string {
  if (!(error instanceof Error)) return String(error);
  return withStack ? (error.stack ?? error.message) : error.message;
}

/** The emitter behind a service's {@link HeraldEventSource}. */
export class ServiceEvents implements HeraldEventSource {
  readonly #emitter = new EventEmitter<HeraldEvents>();
  /** Each listener's guarded wrapper, per event, so `off` finds what `on` registered. */
  readonly #guards = new WeakMap<Listener, Map<HeraldEventName, Listener>>();

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
            warn(`an error listener threw: ${describe(error, false)}`);
          } else {
            this.reportError(error, `listener of ${event}`);
          }
        }
      }) as Listener;
      byEvent.set(event, guarded);
    }
    return guarded;
  }

  /** Reports a background failure to `error` listeners, or as a process warning. */
  reportError(error: unknown, source: string): void {
    if (this.#emitter.listenerCount('error') === 0) {
      warn(`${source} failed: ${describe(error, true)}`);
      return;
    }
    this.#emitter.emit('error', { error, source });
  }
}
