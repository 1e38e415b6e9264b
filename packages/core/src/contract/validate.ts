/**
 * Validation of the contract: the JSON Schemas compiled once with ajv, then the rules a
 * schema cannot state (time relative to now, payload bytes, fallback consistency), then
 * normalization into the stored form.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { HeraldError, optionError, type HeraldErrorCode, type ValidationIssue } from '../errors.js';
import { rejectUnknownOptions } from '../option-checks.js';
import { formatDateTime, isCanonicalDateTime, isDateTime, parseDateTime } from './date-time.js';
import { copyFields, optionalContentFields, type FieldNormalizers } from './fields.js';
import { codeOf, issuesOf, summaryOf } from './issues.js';
import { contractLimits } from './limits.js';
import { illFormedIssues } from './text.js';
import { notificationSchema, notificationStateSchema, subscriptionSchema } from './schema.js';
import type { EndpointFallback, NotificationContent, NotificationPayload, NotificationRequest, PlatformType, ReadState, UserActionState, VisualContent } from './types.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: false });
ajv.addFormat('date-time', { type: 'string', validate: isDateTime });

// Compiled lazily, once per process: compiling costs milliseconds that an
// application that never validates should not pay at import time.
let notificationValidator: ValidateFunction<NotificationRequest> | undefined;
let subscriptionValidator: ValidateFunction<SubscriptionRequest> | undefined;
let stateValidator: ValidateFunction<NotificationStateRequest> | undefined;

/** A change to a notification's state, as `notificationStateSchema` describes it. */
export interface NotificationStateRequest {
  /** Mark read or unread. */
  readState?: ReadState;
  /** Record what the user did. */
  userActionState?: UserActionState;
}

/** The body of a subscription request, as `subscriptionSchema` describes it. */
export interface SubscriptionRequest {
  /** The app whose notifications this endpoint receives. */
  targetHostName: string;
  /** The endpoint's platform, in any letter case. */
  platformType: string;
  /** The name of a registered transport. */
  transport: string;
  /** What the transport needs to reach the endpoint. */
  address: string;
  /** When the subscription expires (ISO 8601). */
  expirationDateTime?: string;
  /** A secret the transport uses for this endpoint. */
  secret?: string;
}

/** Settings of contract validation that depend on the caller. */
export interface ValidationContext {
  /** The current time, in epoch milliseconds. */
  readonly now: number;
  /**
   * Lifetime of a notification that has no `expirationDateTime`, in milliseconds.
   * @default 30 days
   */
  readonly defaultExpirationMs?: number;
}

/** The context is the caller's code, not input: a wrong one is a programmer's error. */
function checkContext(context: ValidationContext): void {
  if (context === null || typeof context !== 'object' || typeof context.now !== 'number' || !Number.isFinite(context.now)) {
    throw optionError(undefined, 'validateNotification needs a context { now } with the current time in epoch milliseconds');
  }
  // Two known names: a loop is cheaper on every send than a general check.
  for (const key in context) {
    if (key !== 'now' && key !== 'defaultExpirationMs') rejectUnknownOptions(undefined, context, ['now', 'defaultExpirationMs']);
  }
}

function fail(code: HeraldErrorCode, issues: ValidationIssue[]): never {
  throw new HeraldError(code, summaryOf(issues), { issues });
}

function schemaCheck<T>(validator: ValidateFunction<T>, input: unknown): asserts input is T {
  if (Array.isArray(input)) {
    fail('ARRAY_BODY', [{ field: '', rule: 'type', message: 'the body is an array: send one object per request' }]);
  }
  if (input === null || typeof input !== 'object') {
    fail('CONTRACT_MISMATCH', [{ field: '', rule: 'type', message: 'the body must be a JSON object' }]);
  }
  if (!validator(input)) {
    const issues = issuesOf(validator.errors ?? []);
    fail(codeOf(issues), issues);
  }
  // After the schema, which bounds the shape: only the contract's own fields are walked.
  const illFormed = illFormedIssues(input);
  if (illFormed.length > 0) fail(codeOf(illFormed), illFormed);
}

/** Bytes of the payload's JSON form that no payload of these texts' lengths can exceed. */
const payloadJsonOverhead = JSON.stringify({ visualContent: { title: '', body: '' }, rawContent: '' }).length;

/**
 * The UTF-8 bytes of the payload's JSON form, or a bound below the limit when that is
 * certain: a UTF-16 code unit takes at most 6 bytes in JSON (`\u001f`), so short texts
 * cannot reach the limit and are not written out just to be measured.
 */
function payloadBytesAtMost(payload: NotificationPayload): number {
  const visual = payload.visualContent;
  const units = (visual?.title?.length ?? 0) + (visual?.body?.length ?? 0) + (payload.rawContent?.length ?? 0);
  const bound = payloadJsonOverhead + 6 * units;
  return bound <= contractLimits.payloadBytes ? bound : Buffer.byteLength(JSON.stringify(payload), 'utf8');
}

/** Platform names lower-case, each once, in the order first given (a list holds at most 16). */
function normalizePlatforms(names: readonly string[]): PlatformType[] {
  const platforms: PlatformType[] = [];
  for (let index = 0; index < names.length; index += 1) {
    const name = (names[index] as string).toLowerCase() as PlatformType;
    if (!platforms.includes(name)) platforms.push(name);
  }
  return platforms;
}

function copyVisual(visual: VisualContent): VisualContent {
  const copy: VisualContent = {};
  if (visual.title !== undefined) copy.title = visual.title;
  if (visual.body !== undefined) copy.body = visual.body;
  return copy;
}

function copyPayload(payload: NotificationPayload): NotificationPayload {
  const copy: NotificationPayload = {};
  if (payload.visualContent !== undefined) copy.visualContent = copyVisual(payload.visualContent);
  if (payload.rawContent !== undefined) copy.rawContent = payload.rawContent;
  return copy;
}

/** A date-time in canonical form: a canonical one kept as given (same value, no new string). */
function canonicalDateTime(text: string): string {
  return isCanonicalDateTime(text) ? text : formatDateTime(parseDateTime(text) as number);
}

/**
 * The stored form of each kind of field, from a request value the schema has checked:
 * one function per kind of the field table, so a new field of a known kind needs no code here.
 */
const fieldNormalizers: FieldNormalizers = {
  text: (value) => value as string,
  'date-time': (value) => canonicalDateTime(value as string),
  enum: (value) => value as string,
  // The contract allows a string of digits (the reference's own example sends one).
  number: (value) => Number(value),
  payload: (value) => copyPayload(value as NotificationPayload),
  'target-policy': (value) => {
    const platforms = (value as NotificationRequest['targetPolicy'] & object).platformTypes;
    return platforms === undefined ? {} : { platformTypes: normalizePlatforms(platforms) };
  },
  'fallback-policy': (value) => {
    const fallback = (value as NonNullable<NotificationRequest['fallbackPolicy']>).endpointFallback;
    return {
      endpointFallback: {
        platformTypes: normalizePlatforms(fallback.platformTypes),
        fallbackDelayInSeconds: fallback.fallbackDelayInSeconds,
        ...(fallback.visualContent === undefined ? {} : { visualContent: copyVisual(fallback.visualContent) }),
      },
    };
  },
};

/** The fallback rules a schema cannot state: its platforms targeted, raw content to replace, visual content to send. */
function checkFallback(fallback: EndpointFallback, content: NotificationContent): void {
  const targeted = content.targetPolicy?.platformTypes;
  const untargeted = targeted === undefined ? [] : fallback.platformTypes.filter((p) => !targeted.includes(p));
  if (untargeted.length > 0) {
    fail('CONTRACT_MISMATCH', [{ field: 'fallbackPolicy.endpointFallback.platformTypes', rule: 'subset', message: `fallback platform ${untargeted.join(', ')} is not in targetPolicy.platformTypes` }]);
  }
  if (content.payload.rawContent === undefined) {
    fail('INVALID_PAYLOAD', [{ field: 'payload.rawContent', rule: 'required', message: 'payload.rawContent is required with a fallbackPolicy: the fallback replaces an unacknowledged raw notification' }]);
  }
  if ((fallback.visualContent ?? content.payload.visualContent) === undefined) {
    fail('INVALID_PAYLOAD', [{ field: 'fallbackPolicy.endpointFallback.visualContent', rule: 'required', message: 'a fallbackPolicy needs visual content, in endpointFallback.visualContent or payload.visualContent' }]);
  }
}

/**
 * Validates a notification request against the contract and returns its normalized,
 * stored form: platform names lower-case, `displayTimeToLive` a number,
 * `expirationDateTime` an ISO UTC string (the default lifetime when absent).
 *
 * @throws TypeError (`code` `INVALID_OPTION`) when `context` lacks `now` or has another key.
 * @throws HeraldError `ARRAY_BODY`, `CONTRACT_MISMATCH`, `INVALID_PAYLOAD` or
 *   `INVALID_PAYLOAD_DATA_TYPE`, with one issue per problem found (a string with a lone
 *   surrogate is an issue with rule `wellFormed`: see `contract/text.ts`).
 */
export function validateNotification(input: unknown, context: ValidationContext): NotificationContent {
  checkContext(context);
  notificationValidator ??= ajv.compile<NotificationRequest>(notificationSchema);
  schemaCheck(notificationValidator, input);
  const request = input;

  const payloadBytes = payloadBytesAtMost(request.payload);
  if (payloadBytes > contractLimits.payloadBytes) {
    fail('INVALID_PAYLOAD', [
      { field: 'payload', rule: 'maxBytes', message: `payload is ${payloadBytes} bytes; at most ${contractLimits.payloadBytes} are allowed` },
    ]);
  }

  let expiresAt = context.now + (context.defaultExpirationMs ?? contractLimits.defaultExpirationMs);
  if (request.expirationDateTime !== undefined) {
    expiresAt = parseDateTime(request.expirationDateTime) as number;
    if (expiresAt <= context.now) {
      fail('CONTRACT_MISMATCH', [{ field: 'expirationDateTime', rule: 'minimum', message: `expirationDateTime ${request.expirationDateTime} is in the past` }]);
    }
    if (expiresAt > context.now + contractLimits.maxExpirationMs) {
      fail('CONTRACT_MISMATCH', [{ field: 'expirationDateTime', rule: 'maximum', message: 'expirationDateTime must be at most 30 days ahead' }]);
    }
  }

  const content: NotificationContent = {
    targetHostName: request.targetHostName,
    appNotificationId: request.appNotificationId,
    payload: copyPayload(request.payload),
    // A valid date-time already in canonical form is kept as given: same value, no new string.
    expirationDateTime:
      request.expirationDateTime !== undefined && isCanonicalDateTime(request.expirationDateTime) ? request.expirationDateTime : formatDateTime(expiresAt),
  };
  // The optional fields, from the field table: each kind to its stored form.
  copyFields(request, optionalContentFields, fieldNormalizers, content);
  if (content.displayTimeToLive !== undefined && content.displayTimeToLive > contractLimits.displayTimeToLiveSeconds) {
    fail('CONTRACT_MISMATCH', [{ field: 'displayTimeToLive', rule: 'maximum', message: `displayTimeToLive must be at most ${contractLimits.displayTimeToLiveSeconds} seconds` }]);
  }
  if (content.fallbackPolicy !== undefined) checkFallback(content.fallbackPolicy.endpointFallback, content);
  return content;
}

/** A validated subscription request with its platform lower-case and its expiry parsed. */
export interface SubscriptionContent {
  /** The app whose notifications this endpoint receives. */
  targetHostName: string;
  /** The endpoint's platform. */
  platformType: PlatformType;
  /** The name of the transport that reaches it. */
  transport: string;
  /** What the transport needs to reach the endpoint. */
  address: string;
  /** The requested expiry in epoch milliseconds, if any. */
  expiresAt?: number;
  /** A secret the transport uses for this endpoint. */
  secret?: string;
}

/**
 * Validates a subscription request against `subscriptionSchema`.
 *
 * @throws HeraldError `CONTRACT_MISMATCH` with one issue per problem found.
 */
export function validateSubscription(input: unknown): SubscriptionContent {
  subscriptionValidator ??= ajv.compile<SubscriptionRequest>(subscriptionSchema);
  // No subscription field is named `payload`, so every schema issue is a contract mismatch.
  schemaCheck(subscriptionValidator, input);
  const request = input;
  const content: SubscriptionContent = {
    targetHostName: request.targetHostName,
    platformType: request.platformType.toLowerCase() as PlatformType,
    transport: request.transport,
    address: request.address,
  };
  if (request.expirationDateTime !== undefined) content.expiresAt = parseDateTime(request.expirationDateTime) as number;
  if (request.secret !== undefined) content.secret = request.secret;
  return content;
}

/**
 * Validates a change to a notification's state against `notificationStateSchema`.
 *
 * @throws HeraldError `CONTRACT_MISMATCH` with one issue per problem found.
 */
export function validateNotificationState(input: unknown): NotificationStateRequest {
  stateValidator ??= ajv.compile<NotificationStateRequest>(notificationStateSchema);
  schemaCheck(stateValidator, input);
  const request = input;
  return {
    ...(request.readState === undefined ? {} : { readState: request.readState }),
    ...(request.userActionState === undefined ? {} : { userActionState: request.userActionState }),
  };
}
