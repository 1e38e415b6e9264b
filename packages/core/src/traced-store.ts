/**
 * A store whose calls are spans (CLIENT, OpenTelemetry's database conventions:
 * `db.system.name` `herald.<store name>`, `db.operation.name` the method), made only
 * inside a span already running — a send, an attempt, the application's own request
 * span — so the dispatcher's polling (a claim every second on a shared store) does not
 * fill the traces with root spans of its own. The database driver's instrumentation, if
 * any (ioredis), reports the commands beneath.
 */
import { codeOf } from './logger.js';
import type { OpenTelemetryApi, Tracer } from './opentelemetry.js';
import type { NotificationStore } from './store/interface.js';
import { storeMethodNames } from './store/methods.js';
import { isThrownInstance, messageOfThrown } from './thrown-text.js';

/** Attribute names of the database conventions. */
const storeSpanAttributes = {
  systemName: 'db.system.name',
  operationName: 'db.operation.name',
  errorType: 'error.type',
} as const;

type StoreCall = (...args: unknown[]) => Promise<unknown>;

/** `store` with each call traced as described above; everything else is the store's own. */
export function traceStore(api: OpenTelemetryApi, tracer: Tracer, store: NotificationStore): NotificationStore {
  const systemName = `herald.${store.name}`;
  const traced = (operation: string, call: StoreCall): StoreCall =>
    function tracedCall(...args: unknown[]): Promise<unknown> {
      const parent = api.context.active();
      if (api.trace.getSpan(parent) === undefined) return call.apply(store, args);
      const span = tracer.startSpan(
        operation,
        { kind: api.SpanKind.CLIENT, attributes: { [storeSpanAttributes.systemName]: systemName, [storeSpanAttributes.operationName]: operation } },
        parent,
      );
      return api.context.with(api.trace.setSpan(parent, span), () => call.apply(store, args)).then(
        (result) => {
          span.end();
          return result;
        },
        (error: unknown) => {
          span.setAttribute(storeSpanAttributes.errorType, codeOf(error));
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: messageOfThrown(error) });
          if (isThrownInstance(error, Error)) span.recordException(error);
          span.end();
          throw error;
        },
      );
    };
  const calls: Record<string, unknown> = {};
  for (const method of storeMethodNames) calls[method] = traced(method, store[method] as StoreCall);
  const { onWake, wake, onFeedChange, feedChanged } = store;
  return {
    name: store.name,
    capabilities: store.capabilities,
    ...(calls as Omit<NotificationStore, 'name' | 'capabilities'>),
    ...(onWake === undefined ? {} : { onWake: onWake.bind(store) }),
    ...(wake === undefined ? {} : { wake: traced('wake', wake as StoreCall) as () => Promise<void> }),
    ...(onFeedChange === undefined ? {} : { onFeedChange: onFeedChange.bind(store) }),
    ...(feedChanged === undefined ? {} : { feedChanged: traced('feedChanged', feedChanged as StoreCall) as NotificationStore['feedChanged'] }),
  };
}
