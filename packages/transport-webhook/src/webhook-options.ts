/**
 * The options of `createWebhookTransport`, checked when they are given: an unknown or
 * misspelt option, or a value of the wrong type or range, is a `TypeError` with `code`
 * `INVALID_OPTION` at once, never a setting silently ignored until the first delivery.
 */
import { addressGuardOptionNames, checkRetryPolicy, optionError, positiveWholeNumberOption, checkOptionsObject, type AddressGuardOptions, type Endpoint, type RetryPolicy, type TransportMessage } from '@herald/core/transport';

/** Where an endpoint's signing secrets come from. */
export type SecretResolver = (endpoint: Endpoint) => string | readonly string[] | undefined | Promise<string | readonly string[] | undefined>;

/** Options of `createWebhookTransport`. */
export interface WebhookTransportOptions extends AddressGuardOptions {
  /**
   * The name subscriptions use to pick this transport.
   * @default 'webhook'
   */
  readonly name?: string;
  /**
   * The signing secrets of an endpoint (several while rotating). When given, a
   * subscription's `secret` is not required, nor checked at `subscriptions.create`.
   * @default the subscription's `secret`, split on spaces
   */
  readonly secrets?: SecretResolver;
  /**
   * Longest wait for one request, answer included, in milliseconds (at most 2^31 − 1).
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
   * When to retry failed deliveries: a `RetryPolicy` (`maxAttempts`, `delayMs`).
   * @default defaultWebhookRetry(): about three days, as the specification suggests
   */
  readonly retry?: RetryPolicy;
  /**
   * The `type` of the event in the body.
   * @default `notification.created`, `notification.updated` or `notification.fallback`
   */
  readonly eventType?: (message: TransportMessage) => string;
  /**
   * The `user-agent` header: visible ASCII and spaces.
   * @default 'Herald-Webhooks/0.1'
   */
  readonly userAgent?: string;
}

/** Every option of {@link WebhookTransportOptions}, for refusing unknown ones. */
const webhookOptionNames = [
  'name',
  'secrets',
  'timeoutMs',
  'maxResponseBytes',
  'maxSockets',
  'retry',
  'eventType',
  'userAgent',
  ...addressGuardOptionNames,
] as const;

const source = 'transport-webhook';
// Timers hold a signed 32-bit delay; a longer one fires at once (Node warns and uses 1 ms).
const maxTimerMs = 2 ** 31 - 1;

/** The options with their defaults filled in, except the guard's and the schedule. */
export interface WebhookSettings {
  readonly name: string;
  readonly secrets: SecretResolver | undefined;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxSockets: number;
  readonly retry: RetryPolicy | undefined;
  readonly eventType: ((message: TransportMessage) => string) | undefined;
  readonly userAgent: string;
  readonly guard: AddressGuardOptions;
}

function functionOption<T>(name: string, value: unknown, shape: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw optionError(source, `${name} must be a function ${shape}, got ${typeof value}`);
  return value as T | undefined;
}

function textOption(name: string, value: unknown, fallback: string, pattern: RegExp, what: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) throw optionError(source, `${name} must be ${what}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Checks the options of `createWebhookTransport`.
 * @throws TypeError (`code` `INVALID_OPTION`) naming the option (and, for an unknown one,
 *   the option probably meant: "did you mean timeoutMs?").
 */
export function checkWebhookOptions(options: unknown): WebhookSettings {
  checkOptionsObject(source, 'the options', options, webhookOptionNames);
  const given = options as Record<string, unknown>;
  const timeoutMs = positiveWholeNumberOption(source, 'timeoutMs', given['timeoutMs'], 15_000);
  if (timeoutMs > maxTimerMs) throw optionError(source, `timeoutMs must be at most ${maxTimerMs} (about 24 days), got ${timeoutMs}`);
  const { allowPrivateNetworks, allowedNetworks } = given;
  return {
    name: textOption('name', given['name'], 'webhook', /^\S(.*\S)?$/, 'a non-empty name without leading or trailing spaces'),
    secrets: functionOption<SecretResolver>('secrets', given['secrets'], '(endpoint) => secrets'),
    timeoutMs,
    maxResponseBytes: positiveWholeNumberOption(source, 'maxResponseBytes', given['maxResponseBytes'], 65_536),
    maxSockets: positiveWholeNumberOption(source, 'maxSockets', given['maxSockets'], 64),
    retry: given['retry'] === undefined ? undefined : checkRetryPolicy(given['retry'], 'retry', source),
    eventType: functionOption<(message: TransportMessage) => string>('eventType', given['eventType'], '(message) => string'),
    // An HTTP field value (RFC 9110 §5.5), kept to visible ASCII so no header can be split.
    userAgent: textOption('userAgent', given['userAgent'], 'Herald-Webhooks/0.1', /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/, 'visible ASCII text'),
    guard: {
      ...(allowPrivateNetworks === undefined ? {} : { allowPrivateNetworks: allowPrivateNetworks as boolean }),
      ...(allowedNetworks === undefined ? {} : { allowedNetworks: allowedNetworks as readonly string[] }),
    },
  };
}
