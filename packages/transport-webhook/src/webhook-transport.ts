/**
 * The webhook transport: POSTs each delivery as a Standard Webhooks request to the
 * endpoint's URL (its subscription's `address`), signed with the endpoint's secret.
 */
import {
  createAddressGuard,
  checkedEndpoint,
  createConnections,
  fixedSchedule,
  postAttempt,
  TransportError,
  usableEndpoint,
  type Endpoint,
  type NotificationSync,
  type RetryPolicy,
  type Transport,
  type TransportContext,
  type TransportMessage,
} from '@herald/core/transport';
import { classifyResponse } from './classify.js';
import { checkAddress, endpointUrl, secretKeys } from './endpoint-address.js';
import { signatureHeader } from './signature.js';
import { checkWebhookOptions, type WebhookTransportOptions } from './webhook-options.js';

export type { SecretResolver, WebhookTransportOptions } from './webhook-options.js';

/** The transport's name unless another is given. */
export const NAME = 'webhook';

const minute = 60_000;
const hour = 60 * minute;

/**
 * The default retry schedule, after the Standard Webhooks specification's example:
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about three days in all), ±10 %.
 */
export function defaultWebhookRetry(): RetryPolicy {
  return fixedSchedule([5000, 5 * minute, 30 * minute, 2 * hour, 5 * hour, 10 * hour, 14 * hour, 20 * hour, 24 * hour], { jitter: 0.1 });
}

/** The JSON body of a Herald webhook. */
export interface WebhookBody {
  /** `notification.created`, `notification.updated` or `notification.fallback`. */
  readonly type: string;
  /** When the notification last changed (ISO 8601). */
  readonly timestamp: string;
  /** The notification. */
  readonly data: TransportMessage['notification'];
}

/** The event type of a sync message's body. */
export const SYNC_EVENT_TYPE = 'notification.sync';

/**
 * The JSON body of a Herald sync webhook: another endpoint of the user changed a
 * notification's state (or deleted it); `data.type` says which.
 */
export interface WebhookSyncBody {
  /** Always `notification.sync`. */
  readonly type: typeof SYNC_EVENT_TYPE;
  /** When the state last changed, or when the notification was deleted (ISO 8601). */
  readonly timestamp: string;
  /** The notification's id, user and state. */
  readonly data: NotificationSync;
}

function defaultEventType(message: TransportMessage): string {
  if (message.kind === 'fallback') return 'notification.fallback';
  return message.notification.createdDateTime === message.notification.lastModifiedDateTime ? 'notification.created' : 'notification.updated';
}

/**
 * Creates a webhook transport.
 *
 * ```ts
 * const webhook = createWebhookTransport();
 * await service.subscriptions.create('alice', {
 *   targetHostName: 'chat.example.com', platformType: 'webpush', transport: 'webhook',
 *   address: 'https://hooks.example.com/herald', secret: generateWebhookSecret(),
 * });
 * ```
 *
 * Its `checkEndpoint` refuses, at `subscriptions.create`, an address that is not an
 * absolute http(s) URL or whose literal IP address the guard refuses, and a missing or
 * malformed `whsec_` secret (unless `secrets` resolves them): HeraldError
 * `INVALID_ENDPOINT`, naming the field. Host names are judged at each connection, on
 * the addresses DNS gives then.
 *
 * It is `AsyncDisposable`: `await using webhook = createWebhookTransport()` closes it
 * (its connections too) when the block ends.
 * @throws TypeError (`code` `INVALID_OPTION`) for an unknown option or a wrong value.
 */
export function createWebhookTransport(options: WebhookTransportOptions = {}): Transport & AsyncDisposable {
  const settings = checkWebhookOptions(options);
  const { timeoutMs, maxResponseBytes, userAgent } = settings;
  const eventType = settings.eventType ?? defaultEventType;
  const guard = createAddressGuard(settings.guard, 'transport-webhook');
  const connections = createConnections(guard, { maxSockets: settings.maxSockets });
  let closed = false;
  const close = (): void => {
    closed = true;
    connections.close();
  };

  return {
    name: settings.name,
    retry: settings.retry ?? defaultWebhookRetry(),
    checkEndpoint(endpoint) {
      checkedEndpoint('transport-webhook', () => {
        checkAddress(endpointUrl(endpoint.address), guard);
        // A resolver of its own owns the secrets: `secret` may then mean anything to it.
        if (settings.secrets === undefined) secretKeys(endpoint.secret);
      });
    },
    async send(message, endpoint, context) {
      const body = JSON.stringify({ type: eventType(message), timestamp: message.notification.lastModifiedDateTime, data: message.notification } satisfies WebhookBody);
      await deliver(message.deliveryId, body, endpoint, context);
    },
    async sendSync(message, endpoint, context) {
      const body = JSON.stringify({ type: SYNC_EVENT_TYPE, timestamp: message.sync.lastModifiedDateTime, data: message.sync } satisfies WebhookSyncBody);
      await deliver(message.deliveryId, body, endpoint, context);
    },
    close,
    async [Symbol.asyncDispose]() {
      close();
    },
  };

  /** Signs `body` for the endpoint and POSTs it, classifying the answer. */
  async function deliver(deliveryId: string, body: string, endpoint: Endpoint, context: TransportContext): Promise<void> {
    if (closed) throw TransportError.retryable('[herald] [transport-webhook] the transport is closed');
    const url = await usableEndpoint(() => endpointUrl(endpoint.address));
    const keys = await usableEndpoint(async () => secretKeys(settings.secrets === undefined ? endpoint.secret : await settings.secrets(endpoint)));
    const timestamp = Math.floor(context.now / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': userAgent,
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(keys, deliveryId, timestamp, body),
    };
    const answer = await postAttempt(connections, url, headers, body, { signal: context.signal, timeoutMs, maxResponseBytes, peer: 'the receiver' });
    const failure = classifyResponse(answer.status, answer.retryAfter, answer.detail, context.now);
    if (failure !== undefined) throw failure;
  }
}
