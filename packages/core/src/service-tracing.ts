/**
 * Spans of a traced service: one per send (PRODUCER: it stores the notification's
 * deliveries, the messages to send) and one per delivery attempt (CLIENT: it hands a
 * delivery to its transport), named and attributed by OpenTelemetry's messaging
 * conventions; store calls made inside them are child spans (see traced-store.ts).
 *
 * User ids are never recorded: they may be personal data (an e-mail address), and a hash
 * of one is still personal data that a dictionary reverses. The notification, delivery
 * and subscription ids are random and find the user in the store when needed.
 */
import { codeOf } from './logger.js';
import { openTelemetryApi, registeredTracer, type OpenTelemetryApi, type SpanAttributeValue, type TraceSpan, type Tracer } from './opentelemetry.js';
import type { SendResult } from './send.js';
import type { ClaimedDelivery, DeliveryOutcome, NotificationStore } from './store/interface.js';
import { traceStore } from './traced-store.js';
import { isThrownInstance, messageOfThrown } from './thrown-text.js';

/** Attribute names: OpenTelemetry's where a convention exists, `herald.*` for Herald's own. */
const spanAttributes = {
  messagingSystem: 'messaging.system',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  messageId: 'messaging.message.id',
  destinationName: 'messaging.destination.name',
  batchMessageCount: 'messaging.batch.message_count',
  errorType: 'error.type',
  notificationId: 'herald.notification.id',
  subscriptionId: 'herald.subscription.id',
  targetHostName: 'herald.target_host_name',
  created: 'herald.notification.created',
  replayed: 'herald.send.replayed',
  attempt: 'herald.delivery.attempt',
  kind: 'herald.delivery.kind',
  outcome: 'herald.delivery.outcome',
} as const;

/** `messaging.system` on Herald's spans. */
const messagingSystem = 'herald';

/** What the dispatcher needs: each attempt run inside its span. */
export interface AttemptTracing {
  attempt(claim: ClaimedDelivery, run: () => Promise<DeliveryOutcome | undefined>): Promise<DeliveryOutcome | undefined>;
}

/** Marks a span failed with a Herald code and ends it. */
function fail(api: OpenTelemetryApi, span: TraceSpan, code: string, message: string, error?: unknown): void {
  span.setAttribute(spanAttributes.errorType, code);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message });
  if (isThrownInstance(error, Error)) span.recordException(error);
  span.end();
}

/** The spans of one service. */
export class ServiceTracing implements AttemptTracing {
  readonly #api: OpenTelemetryApi;
  readonly #tracer: Tracer;

  constructor(api: OpenTelemetryApi, tracer: Tracer) {
    this.#api = api;
    this.#tracer = tracer;
  }

  /** Runs a send inside a `send` span; store calls it makes are its children. */
  send(run: () => Promise<SendResult>): Promise<SendResult> {
    const api = this.#api;
    const parent = api.context.active();
    const span = this.#tracer.startSpan(
      'send',
      { kind: api.SpanKind.PRODUCER, attributes: { [spanAttributes.messagingSystem]: messagingSystem, [spanAttributes.operationName]: 'send', [spanAttributes.operationType]: 'send' } },
      parent,
    );
    return api.context.with(api.trace.setSpan(parent, span), run).then(
      (result) => {
        span.setAttribute(spanAttributes.notificationId, result.notification.id);
        span.setAttribute(spanAttributes.targetHostName, result.notification.targetHostName);
        span.setAttribute(spanAttributes.created, result.created);
        span.setAttribute(spanAttributes.replayed, result.replayed);
        span.setAttribute(spanAttributes.batchMessageCount, result.deliveries.length);
        span.end();
        return result;
      },
      (error: unknown) => {
        fail(api, span, codeOf(error), messageOfThrown(error), error);
        throw error;
      },
    );
  }

  /**
   * Runs one attempt inside a `deliver <transport>` span: its outcome becomes
   * `herald.delivery.outcome`; a failed or dead one sets `error.type` to its code and the
   * status to ERROR. An attempt whose outcome the store refused (its lease was gone)
   * has no outcome attribute.
   */
  attempt(claim: ClaimedDelivery, run: () => Promise<DeliveryOutcome | undefined>): Promise<DeliveryOutcome | undefined> {
    const api = this.#api;
    const { delivery } = claim;
    const attributes: Record<string, SpanAttributeValue> = {
      [spanAttributes.messagingSystem]: messagingSystem,
      [spanAttributes.operationName]: 'deliver',
      [spanAttributes.operationType]: 'send',
      [spanAttributes.messageId]: delivery.id,
      [spanAttributes.destinationName]: delivery.transport,
      [spanAttributes.notificationId]: delivery.notificationId,
      [spanAttributes.subscriptionId]: delivery.subscriptionId,
      [spanAttributes.attempt]: delivery.attempts + 1,
      [spanAttributes.kind]: delivery.kind,
    };
    const parent = api.context.active();
    const span = this.#tracer.startSpan(`deliver ${delivery.transport}`, { kind: api.SpanKind.CLIENT, attributes }, parent);
    return api.context.with(api.trace.setSpan(parent, span), run).then(
      (outcome) => {
        if (outcome === undefined) {
          span.end();
          return outcome;
        }
        span.setAttribute(spanAttributes.outcome, outcome.status);
        if (outcome.status === 'failed' || outcome.status === 'dead') fail(api, span, outcome.error.code, outcome.error.message);
        else span.end();
        return outcome;
      },
      (error: unknown) => {
        fail(api, span, codeOf(error), messageOfThrown(error), error);
        throw error;
      },
    );
  }

  /** The store with a span around each call made inside a Herald span or the application's. */
  store(store: NotificationStore): NotificationStore {
    return traceStore(this.#api, this.#tracer, store);
  }
}

/**
 * The tracing of a new service: `undefined` (no tracing, no cost) unless
 * `@opentelemetry/api` is installed and a tracer provider is registered now.
 */
export function createServiceTracing(): ServiceTracing | undefined {
  const api = openTelemetryApi();
  if (api === undefined) return undefined;
  const tracer = registeredTracer(api);
  return tracer === undefined ? undefined : new ServiceTracing(api, tracer);
}
