/**
 * The Web Push transport: encrypts each delivery for its browser (RFC 8291, aes128gcm)
 * and POSTs it to the browser's push service (RFC 8030) with a VAPID token (RFC 8292).
 * web-push builds the request; the transport sends it itself, through core's guarded
 * connections, so it owns timeouts, the address guard, the answer's meaning and
 * `Retry-After`.
 */
import {
  createAddressGuard,
  checkedEndpoint,
  createConnections,
  postAttempt,
  TransportError,
  usableEndpoint,
  type Endpoint,
  type Transport,
  type TransportContext,
} from '@herald/core/transport';
import { classifyPushAnswer } from './push-answer.js';
import { pushBody, pushSyncBody, syncTimeToLiveSeconds, syncTopic, timeToLive, topic, urgency } from './push-message.js';
import { parsePushSubscription } from './push-subscription.js';
import { vapidHeaders } from './vapid-header.js';
import { webPush } from './web-push-library.js';
import { checkWebPushOptions, type WebPushTransportOptions } from './webpush-options.js';

/** The transport's name unless another is given. */
export const NAME = 'webpush';

/**
 * The most bytes a push message's body may have, encrypted (RFC 8030 §7.2: push
 * services must accept at least 4096). aes128gcm adds 103 bytes (86 of header, a padding
 * delimiter, a 16-byte tag), leaving 3993 bytes for the JSON.
 */
export const maxMessageBytes = 4096;
/** What aes128gcm adds to one record (RFC 8188 §2, RFC 8291 §4): header 86, delimiter 1, tag 16. */
const encryptionOverhead = 103;

// Push services answer with a short problem text at most; the rest is not read.
const maxResponseBytes = 65_536;

/**
 * Creates a Web Push transport.
 *
 * ```ts
 * const webpush = createWebPushTransport({ vapid: { subject: 'mailto:push@example.com', publicKey, privateKey } });
 * await service.subscriptions.create('alice', {
 *   targetHostName: 'chat.example.com', platformType: 'webpush', transport: 'webpush',
 *   address: JSON.stringify(pushSubscription), // from the browser's pushManager.subscribe()
 * });
 * ```
 *
 * Its `checkEndpoint` refuses, at `subscriptions.create`, an address that is not a
 * PushSubscription's JSON, an endpoint that is not https or whose literal IP address the
 * address guard refuses, a `keys.p256dh` that is not a 65-byte P-256 point and a
 * `keys.auth` that is not 16 bytes: HeraldError `INVALID_ENDPOINT`, naming the field.
 *
 * `send` fails with a `TransportError`: `MESSAGE_TOO_LARGE` (permanent) for a body over
 * {@link maxMessageBytes} encrypted, never truncated; endpoint gone for 404 and 410;
 * retryable for 408, 425, 429 and 5xx (with `Retry-After`) and network errors; permanent
 * for 400, 401 and 403 (pointing at the VAPID keys), 413 and the rest.
 *
 * It is `AsyncDisposable`: `await using webpush = createWebPushTransport(…)` closes it.
 * @throws TypeError (`code` `INVALID_OPTION`) for an unknown option, a missing or wrong
 *   `vapid` (a subject that is not mailto: or https:, malformed keys, keys of two pairs).
 */
export function createWebPushTransport(options: WebPushTransportOptions): Transport & AsyncDisposable {
  const settings = checkWebPushOptions(options);
  const { timeoutMs } = settings;
  const guard = createAddressGuard(settings.guard, 'transport-webpush');
  const connections = createConnections(guard, { maxSockets: settings.maxSockets, httpsAgent: settings.agent });
  const authorization = vapidHeaders(settings.vapid);
  let closed = false;
  const close = (): void => {
    closed = true;
    connections.close();
  };

  return {
    name: settings.name,
    ...(settings.retry === undefined ? {} : { retry: settings.retry }),
    checkEndpoint(endpoint) {
      checkedEndpoint('transport-webpush', () => parsePushSubscription(endpoint.address, guard));
    },
    async send(message, endpoint, context) {
      await push(JSON.stringify(pushBody(message)), { TTL: timeToLive(message, context.now), urgency: urgency(message), topic: topic(message) }, endpoint, context);
    },
    // A sync is a data message: the service worker updates or closes the notification it shows.
    async sendSync(message, endpoint, context) {
      await push(JSON.stringify(pushSyncBody(message)), { TTL: syncTimeToLiveSeconds, urgency: 'normal', topic: syncTopic(message) }, endpoint, context);
    },
    close,
    async [Symbol.asyncDispose]() {
      close();
    },
  };

  /** Encrypts `plaintext` for the endpoint's browser and POSTs it to its push service. */
  async function push(plaintext: string, headers: PushHeaders, endpoint: Endpoint, context: TransportContext): Promise<void> {
    if (closed) throw TransportError.retryable('[herald] [transport-webpush] the transport is closed');
    const target = await usableEndpoint(() => parsePushSubscription(endpoint.address, guard));
    const details = webPush.generateRequestDetails(target.subscription, plaintext, { vapidDetails: null, ...headers, contentEncoding: 'aes128gcm' });
    const body = details.body ?? Buffer.alloc(0);
    if (body.length > maxMessageBytes) {
      throw TransportError.permanent(
        `the message is ${body.length} bytes encrypted, over Web Push's ${maxMessageBytes} (its JSON is ${Buffer.byteLength(plaintext)} of at most ${maxMessageBytes - encryptionOverhead}); shorten the title, body or rawContent — it is never truncated`,
        { code: 'MESSAGE_TOO_LARGE' },
      );
    }
    const requestHeaders: Record<string, string> = { authorization: authorization(target.url.origin) };
    for (const [name, value] of Object.entries(details.headers)) {
      // Content-Length is post's to set, from the body it sends.
      if (name.toLowerCase() !== 'content-length') requestHeaders[name.toLowerCase()] = String(value);
    }
    const answer = await postAttempt(connections, target.url, requestHeaders, body, { signal: context.signal, timeoutMs, maxResponseBytes, peer: 'the push service' });
    const failure = classifyPushAnswer(answer.status, answer.retryAfter, answer.detail, context.now);
    if (failure !== undefined) throw failure;
  }
}

/** The RFC 8030 headers of one push message. */
interface PushHeaders {
  readonly TTL: number;
  readonly urgency: 'high' | 'normal' | 'low';
  readonly topic: string;
}
