/**
 * The webhook transport: POSTs each delivery as a Standard Webhooks request to the
 * endpoint's URL (its subscription's `address`), signed with the endpoint's secret.
 */
import { fixedSchedule, optionError, positiveWholeNumberOption, TransportError, type Endpoint, type RetryPolicy, type Transport, type TransportMessage } from '@herald/core';
import { createAddressGuard, type AddressGuardOptions } from './address-guard.js';
import { classifyResponse } from './classify.js';
import { createConnections, post, RefusedAddressError } from './http-post.js';
import { secretKey, splitSecrets, WebhookSecretError } from './secret.js';
import { signatureHeader } from './signature.js';

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

/** Where an endpoint's signing secrets come from. */
export type SecretResolver = (endpoint: Endpoint) => string | readonly string[] | undefined | Promise<string | readonly string[] | undefined>;

/** Options of {@link createWebhookTransport}. */
export interface WebhookTransportOptions extends AddressGuardOptions {
  /**
   * The name subscriptions use to pick this transport.
   * @default 'webhook'
   */
  readonly name?: string;
  /**
   * The signing secrets of an endpoint (several while rotating).
   * @default the subscription's `secret`, split on spaces
   */
  readonly secrets?: SecretResolver;
  /**
   * Longest wait for one request, answer included, in milliseconds.
   * @default 15_000
   */
  readonly timeoutMs?: number;
  /**
   * Most bytes of an answer read; the rest is dropped with the connection.
   * @default 65_536
   */
  readonly maxResponseBytes?: number;
  /**
   * Most connections at once per receiving host.
   * @default 64
   */
  readonly maxSockets?: number;
  /**
   * When to retry failed deliveries.
   * @default defaultWebhookRetry(): about three days, as the specification suggests
   */
  readonly retry?: RetryPolicy;
  /**
   * The `type` of the event in the body.
   * @default `notification.created`, `notification.updated` or `notification.fallback`
   */
  readonly eventType?: (message: TransportMessage) => string;
  /**
   * The `user-agent` header.
   * @default 'Herald-Webhooks/0.1'
   */
  readonly userAgent?: string;
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

function defaultEventType(message: TransportMessage): string {
  if (message.kind === 'fallback') return 'notification.fallback';
  return message.notification.createdDateTime === message.notification.lastModifiedDateTime ? 'notification.created' : 'notification.updated';
}


function endpointUrl(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw TransportError.permanent(`the endpoint address ${JSON.stringify(address.slice(0, 200))} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw TransportError.permanent(`only http and https URLs are allowed, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') throw TransportError.permanent('credentials in the URL are not allowed; sign with the secret instead');
  return url;
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
 */
export function createWebhookTransport(options: WebhookTransportOptions = {}): Transport {
  const name = options.name ?? NAME;
  const timeoutMs = positiveWholeNumberOption('transport-webhook', 'timeoutMs', options.timeoutMs, 15_000);
  const maxResponseBytes = positiveWholeNumberOption('transport-webhook', 'maxResponseBytes', options.maxResponseBytes, 65_536);
  const maxSockets = positiveWholeNumberOption('transport-webhook', 'maxSockets', options.maxSockets, 64);
  if (options.secrets !== undefined && typeof options.secrets !== 'function') throw optionError('transport-webhook', 'secrets must be a function of the endpoint');
  const resolveSecrets: SecretResolver = options.secrets ?? ((endpoint) => splitSecrets(endpoint.secret));
  const eventType = options.eventType ?? defaultEventType;
  const userAgent = options.userAgent ?? 'Herald-Webhooks/0.1';
  const connections = createConnections(createAddressGuard(options), maxSockets);
  let closed = false;

  return {
    name,
    retry: options.retry ?? defaultWebhookRetry(),
    async send(message, endpoint, context) {
      if (closed) throw TransportError.retryable('[herald] [transport-webhook] the transport is closed');
      const url = endpointUrl(endpoint.address);
      const resolved = await resolveSecrets(endpoint);
      const secrets = resolved === undefined ? [] : typeof resolved === 'string' ? [resolved] : [...resolved];
      if (secrets.length === 0) throw TransportError.permanent('the endpoint has no signing secret: give its subscription a secret (whsec_…)');
      let keys: Buffer[];
      try {
        keys = secrets.map(secretKey);
      } catch (error) {
        if (error instanceof WebhookSecretError) throw TransportError.permanent(error.message, { cause: error });
        throw error;
      }
      const body = JSON.stringify({ type: eventType(message), timestamp: message.notification.lastModifiedDateTime, data: message.notification } satisfies WebhookBody);
      const timestamp = Math.floor(context.now / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': userAgent,
        'webhook-id': message.deliveryId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(keys, message.deliveryId, timestamp, body),
      };
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([context.signal, deadline]);
      let answer;
      try {
        answer = await post(connections, url, headers, body, signal, maxResponseBytes);
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        if (deadline.aborted) throw new TransportError('timeout', `the receiver did not answer within ${timeoutMs} ms`, { cause: error });
        if (error instanceof RefusedAddressError) throw TransportError.permanent(error.message, { cause: error });
        const code = (error as NodeJS.ErrnoException).code;
        throw TransportError.retryable(`the request failed${code === undefined ? '' : ` (${code})`}: ${(error as Error).message}`, { cause: error });
      }
      const failure = classifyResponse(answer.status, answer.retryAfter, answer.detail, context.now);
      if (failure !== undefined) throw failure;
    },
    close() {
      closed = true;
      connections.http.destroy();
      connections.https.destroy();
    },
  };
}
