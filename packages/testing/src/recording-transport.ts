/**
 * A transport that records every delivery and fails when the test says so: per endpoint
 * or per call, N times then succeed, permanently, endpoint gone, with a retry-after hint,
 * or by hanging until the dispatcher's timeout aborts the attempt.
 */
import { TransportError, type Endpoint, type TransportMessage, type Transport } from '@herald/core/transport';
import { checkKeys, checkMilliseconds, checkString, describe, isPlainObject, kitError } from './kit-checks.js';

/** One attempt the transport saw, and how it ended. */
export interface RecordedDelivery {
  /** The transport name the subscription used. */
  readonly transport: string;
  /** What was delivered. */
  readonly message: TransportMessage;
  /** Where to. */
  readonly endpoint: Endpoint;
  /** The service clock's time of the attempt. */
  readonly at: number;
  /** `delivered`, or how the transport failed it. */
  readonly outcome: 'delivered' | 'retryable' | 'permanent' | 'endpointGone' | 'hung';
}

/** Which attempts a rule applies to: an endpoint's fields, or any test of the attempt. */
export type EndpointMatch =
  | Partial<Pick<Endpoint, 'subscriptionId' | 'userId' | 'address' | 'platformType' | 'targetHostName'>>
  | ((endpoint: Endpoint, message: TransportMessage) => boolean);

/** How matching attempts fail. */
export interface FailureScript {
  /** Fails the next `times` matching attempts retryably (optionally with a retry-after hint), then lets them through. */
  failTimes(times: number, options?: { readonly retryAfterMs?: number; readonly message?: string }): FailureScript;
  /** Fails every matching attempt with a permanent error. */
  failPermanently(message?: string): FailureScript;
  /** Answers every matching attempt with "endpoint gone": the subscription is deactivated. */
  gone(message?: string): FailureScript;
  /** Never answers matching attempts: the dispatcher's attempt timeout ends them. `times` defaults to every attempt. */
  hang(times?: number): FailureScript;
  /** Removes this script: matching attempts succeed again. */
  clear(): void;
}

interface Rule {
  readonly matches: (endpoint: Endpoint, message: TransportMessage) => boolean;
  kind: 'retryable' | 'permanent' | 'endpointGone' | 'hung' | 'none';
  remaining: number;
  retryAfterMs: number | undefined;
  message: string | undefined;
}

/** A recording transport, registered under one or more names. */
export interface RecordingTransport {
  /** One transport per name, all recording into the same list. */
  readonly transports: readonly Transport[];
  /** Every attempt, in order. */
  readonly deliveries: readonly RecordedDelivery[];
  /** The attempts that succeeded. */
  delivered(): RecordedDelivery[];
  /** Scripts failures for the attempts `match` selects (every attempt when omitted). */
  when(match?: EndpointMatch): FailureScript;
  /** Forgets what was recorded (scripts stay). */
  clear(): void;
}

/** The endpoint fields a match object may name. */
const endpointMatchKeys = ['subscriptionId', 'userId', 'address', 'platformType', 'targetHostName'] as const satisfies readonly (keyof Endpoint)[];

/**
 * Refuses a match that is neither a predicate nor an object of endpoint fields with
 * string values: a misspelt key (`user`) would match no attempt, and a script on it
 * would fail nothing, so the test would pass without its fault.
 */
export function checkEndpointMatch(where: string, match: unknown): asserts match is EndpointMatch {
  if (typeof match === 'function') return;
  if (!isPlainObject(match)) {
    throw kitError(where, `a match is an object of endpoint fields ({ platformType: 'android' }) or a function (endpoint, message) => boolean, got ${describe(match)}`);
  }
  checkKeys(where, match, endpointMatchKeys, 'match key');
  for (const [key, value] of Object.entries(match)) checkString(where, `match key ${key}`, value, false);
}

function matcher(match: EndpointMatch | undefined): Rule['matches'] {
  if (match === undefined) return () => true;
  checkEndpointMatch('when', match);
  if (typeof match === 'function') return match;
  const wanted = Object.entries(match) as Array<[keyof Endpoint, unknown]>;
  return (endpoint) => wanted.every(([key, value]) => endpoint[key] === value);
}

const failTimesOptionNames = ['retryAfterMs', 'message'] as const;

/**
 * Refuses transport names that are not a non-empty array of distinct, non-empty strings:
 * a string would otherwise be split or mapped as if it were a list.
 */
export function checkTransportNames(where: string, option: string, names: unknown): asserts names is readonly string[] {
  const shape = `an array of transport names, e.g. ['test', 'webhook']`;
  if (!Array.isArray(names)) throw kitError(where, `${option} must be ${shape}, got ${describe(names)}`);
  if (names.length === 0) throw kitError(where, `${option} must name at least one transport: ${shape}`);
  for (const name of names as unknown[]) {
    if (typeof name !== 'string' || name.length === 0) throw kitError(where, `${option} must be ${shape}; one of them is ${describe(name)}`);
  }
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw kitError(where, `${option} names ${JSON.stringify(repeated)} twice; each transport name once`);
}

/** Creates a recording transport registered under `names`. */
export function createRecordingTransport(names: readonly string[] = ['test'], now: () => number = Date.now): RecordingTransport {
  checkTransportNames('createRecordingTransport', 'names', names);
  if (typeof now !== 'function') throw kitError('createRecordingTransport', `now must be a function returning epoch milliseconds, got ${describe(now)}`);
  const deliveries: RecordedDelivery[] = [];
  const rules: Rule[] = [];

  const ruleFor = (endpoint: Endpoint, message: TransportMessage): Rule | undefined => {
    // The most recent script wins, so a test can override an earlier one.
    for (let i = rules.length - 1; i >= 0; i -= 1) {
      const rule = rules[i] as Rule;
      if (rule.kind !== 'none' && rule.remaining > 0 && rule.matches(endpoint, message)) return rule;
    }
    return undefined;
  };

  const transportNamed = (name: string): Transport => ({
    name,
    async send(message, endpoint, context) {
      const rule = ruleFor(endpoint, message);
      const record = (outcome: RecordedDelivery['outcome']): void => {
        deliveries.push({ transport: name, message, endpoint, at: context.now ?? now(), outcome });
      };
      if (rule === undefined) {
        record('delivered');
        return;
      }
      rule.remaining -= 1;
      const text = rule.message;
      switch (rule.kind) {
        case 'retryable':
          record('retryable');
          throw TransportError.retryable(text ?? 'scripted failure', rule.retryAfterMs === undefined ? {} : { retryAfterMs: rule.retryAfterMs });
        case 'permanent':
          record('permanent');
          throw TransportError.permanent(text ?? 'scripted permanent failure');
        case 'endpointGone':
          record('endpointGone');
          throw TransportError.endpointGone(text ?? 'scripted: the endpoint is gone');
        default:
          record('hung');
          await new Promise<never>((_resolve, reject) => {
            if (context.signal.aborted) reject(context.signal.reason);
            context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
          });
      }
    },
  });

  const script = (match: EndpointMatch | undefined): FailureScript => {
    const rule: Rule = { matches: matcher(match), kind: 'none', remaining: 0, retryAfterMs: undefined, message: undefined };
    rules.push(rule);
    const set = (where: string, kind: Rule['kind'], remaining: unknown, message?: unknown, retryAfterMs?: unknown): FailureScript => {
      if (!(remaining === Number.POSITIVE_INFINITY || (typeof remaining === 'number' && Number.isInteger(remaining) && remaining >= 0))) {
        throw kitError(where, `times must be a whole number of at least 0, got ${describe(remaining)}`);
      }
      checkString(where, 'message', message);
      checkMilliseconds(where, 'retryAfterMs', retryAfterMs);
      Object.assign(rule, { kind, remaining, message, retryAfterMs });
      return api;
    };
    const api: FailureScript = {
      failTimes: (times, options = {}) => {
        checkKeys('failTimes', options, failTimesOptionNames);
        return set('failTimes', 'retryable', times, options.message, options.retryAfterMs);
      },
      failPermanently: (message) => set('failPermanently', 'permanent', Number.POSITIVE_INFINITY, message),
      gone: (message) => set('gone', 'endpointGone', Number.POSITIVE_INFINITY, message),
      hang: (times = Number.POSITIVE_INFINITY) => set('hang', 'hung', times),
      clear: () => {
        rule.kind = 'none';
      },
    };
    return api;
  };

  return {
    transports: names.map(transportNamed),
    deliveries,
    delivered: () => deliveries.filter((delivery) => delivery.outcome === 'delivered'),
    when: script,
    clear() {
      deliveries.length = 0;
    },
  };
}
