/**
 * The optional OpenTelemetry API: loaded once, when the first service is created, if the
 * application installed `@opentelemetry/api` (an optional peer dependency). Herald uses
 * the tracer of the provider the application registered; with no API or no provider,
 * the service is built without tracing, so its calls do nothing more than without it.
 *
 * The types below are the few parts of the API Herald uses, written out so that Herald's
 * declarations never name a package the application may not have.
 */
import { createRequire } from 'node:module';

/** An attribute value, as OpenTelemetry takes them. */
export type SpanAttributeValue = string | number | boolean;

/** The parts of an OpenTelemetry `Context` Herald touches (it only passes them on). */
interface TraceContext {
  getValue(key: symbol): unknown;
}

/** The parts of an OpenTelemetry `Span` Herald uses. */
export interface TraceSpan {
  setAttribute(key: string, value: SpanAttributeValue): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): void;
  end(): void;
}

/** The parts of an OpenTelemetry `Tracer` Herald uses. */
export interface Tracer {
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, SpanAttributeValue> }, context?: TraceContext): TraceSpan;
}

/** The parts of `@opentelemetry/api` Herald uses. */
export interface OpenTelemetryApi {
  readonly trace: {
    getTracerProvider(): {
      getTracer(name: string, version?: string): Tracer;
      /** On the API's proxy provider: the registered provider's tracer, or `undefined` when none is registered. */
      getDelegateTracer?(name: string, version?: string): Tracer | undefined;
    };
    setSpan(context: TraceContext, span: TraceSpan): TraceContext;
    getSpan(context: TraceContext): TraceSpan | undefined;
  };
  readonly context: {
    active(): TraceContext;
    with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: TraceContext, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F>;
  };
  readonly SpanKind: { readonly INTERNAL: number; readonly PRODUCER: number; readonly CLIENT: number };
  readonly SpanStatusCode: { readonly ERROR: number };
}

/** The instrumentation scope's name on Herald's spans. */
const tracerName = '@herald/core';

/** The loaded API; `null` once loading failed (not installed), `undefined` before trying. */
let loaded: OpenTelemetryApi | null | undefined;

/**
 * `@opentelemetry/api`, loaded on the first call (synchronously, so the service being
 * created is already traced), or `undefined` when the application does not have it.
 */
export function openTelemetryApi(): OpenTelemetryApi | undefined {
  if (loaded === undefined) {
    try {
      // Resolved from this package, as a peer dependency is: the application's copy.
      loaded = createRequire(import.meta.url)('@opentelemetry/api') as OpenTelemetryApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/**
 * The tracer of the provider the application registered, or `undefined` when it has not
 * registered one (the API alone only makes no-op spans: not worth a call's time).
 */
export function registeredTracer(api: OpenTelemetryApi): Tracer | undefined {
  const provider = api.trace.getTracerProvider();
  // The API hands out a proxy provider; its delegate is the registered one, if any.
  if (typeof provider.getDelegateTracer === 'function') return provider.getDelegateTracer(tracerName);
  return provider.getTracer(tracerName);
}
