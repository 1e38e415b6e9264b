/**
 * The options of `createWebPushTransport`, checked when they are given: an unknown or
 * misspelt option, or a value of the wrong type or range, is a `TypeError` with `code`
 * `INVALID_OPTION` at once, never a setting silently ignored until the first push.
 */
import { Agent as HttpsAgent } from 'node:https';
import {
  addressGuardOptionNames,
  checkOptionsObject,
  checkRetryPolicy,
  describeValue,
  optionError,
  positiveWholeNumberOption,
  type AddressGuardOptions,
  type RetryPolicy,
} from '@herald/core/transport';
import { checkVapid, type VapidDetails } from './vapid.js';

/** Options of `createWebPushTransport`. */
export interface WebPushTransportOptions extends AddressGuardOptions {
  /** The application server's VAPID identity (RFC 8292). Required. */
  readonly vapid: VapidDetails;
  /**
   * The name subscriptions use to pick this transport.
   * @default 'webpush'
   */
  readonly name?: string;
  /**
   * Longest wait for one push, answer included, in milliseconds (at most 2^31 − 1).
   * @default 15_000
   */
  readonly timeoutMs?: number;
  /**
   * Most connections at once per push service, in the transport's own pool (not with `agent`).
   * @default 64
   */
  readonly maxSockets?: number;
  /**
   * An https agent of your own for the requests to push services: its TLS settings (a
   * private CA, as the tests' own push service needs), its pool. The address guard still
   * judges every connection it opens. It stays open when the transport closes.
   * @default a keep-alive pool of the transport's own
   */
  readonly agent?: HttpsAgent;
  /**
   * When to retry failed pushes: a `RetryPolicy` (`maxAttempts`, `delayMs`).
   * @default the service's dispatcher schedule
   */
  readonly retry?: RetryPolicy;
}

/** Every option of {@link WebPushTransportOptions}, for refusing unknown ones. */
const webPushOptionNames = ['vapid', 'name', 'timeoutMs', 'maxSockets', 'agent', 'retry', ...addressGuardOptionNames] as const;

const source = 'transport-webpush';
// Timers hold a signed 32-bit delay; a longer one fires at once.
const maxTimerMs = 2 ** 31 - 1;

/** The options with their defaults filled in. */
export interface WebPushSettings {
  readonly vapid: VapidDetails;
  readonly name: string;
  readonly timeoutMs: number;
  readonly maxSockets: number;
  readonly agent: HttpsAgent | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly guard: AddressGuardOptions;
}

/**
 * Checks the options of `createWebPushTransport`.
 * @throws TypeError (`code` `INVALID_OPTION`) naming the option (and, for an unknown one,
 *   the option probably meant).
 */
export function checkWebPushOptions(options: unknown): WebPushSettings {
  checkOptionsObject(source, 'the options', options, webPushOptionNames);
  const given = options as Record<string, unknown>;
  if (given['vapid'] === undefined) throw optionError(source, 'vapid is required: { subject, publicKey, privateKey }, with keys from generateVapidKeys()');
  const vapid = checkVapid(given['vapid']);
  const name = given['name'] ?? 'webpush';
  if (typeof name !== 'string' || !/^\S(.*\S)?$/.test(name)) throw optionError(source, `name must be a non-empty name without leading or trailing spaces, got ${describeValue(name)}`);
  const timeoutMs = positiveWholeNumberOption(source, 'timeoutMs', given['timeoutMs'], 15_000);
  if (timeoutMs > maxTimerMs) throw optionError(source, `timeoutMs must be at most ${maxTimerMs} (about 24 days), got ${timeoutMs}`);
  const agent = given['agent'];
  if (agent !== undefined && !(agent instanceof HttpsAgent)) throw optionError(source, `agent must be an https.Agent (new Agent({ ca }) from node:https), got ${describeValue(agent)}`);
  const { allowPrivateNetworks, allowedNetworks } = given;
  return {
    vapid,
    name,
    timeoutMs,
    maxSockets: positiveWholeNumberOption(source, 'maxSockets', given['maxSockets'], 64),
    agent,
    retry: given['retry'] === undefined ? undefined : checkRetryPolicy(given['retry'], 'retry', source),
    guard: {
      ...(allowPrivateNetworks === undefined ? {} : { allowPrivateNetworks: allowPrivateNetworks as boolean }),
      ...(allowedNetworks === undefined ? {} : { allowedNetworks: allowedNetworks as readonly string[] }),
    },
  };
}
