/**
 * Herald's error model: one class, stable codes, and the HTTP status each code maps to.
 *
 * The first ten codes are the rows of the error table of the reference API page
 * ("Create and send a notification"); the HTTP layer only translates them.
 */

import { isThrownInstance } from './thrown-text.js';

/**
 * Every error code Herald raises, with the HTTP status it answers with.
 * Codes never change across versions; messages may.
 */
export const errorStatuses = {
  // The reference's error table, row by row.
  /** The body is an array: one notification per request. */
  ARRAY_BODY: 400,
  /** The body does not match the notification contract. */
  CONTRACT_MISMATCH: 400,
  /** The caller is on the blocked list. */
  CALLER_BLOCKED: 403,
  /** The HTTP method is not supported on this route. */
  METHOD_NOT_ALLOWED: 405,
  /** `If-Modified-Since` or `If-Range` was sent. */
  UNSUPPORTED_HEADER: 400,
  /** `Content-Encoding` names something other than gzip or deflate. */
  UNSUPPORTED_CONTENT_ENCODING: 415,
  /** The payload is present but unusable (no content, too large, empty visual content). */
  INVALID_PAYLOAD: 400,
  /** The caller may not act for this user or send to them. */
  CALLER_UNAUTHORIZED: 403,
  /** A field inside the payload has the wrong data type (the table answers 401). */
  INVALID_PAYLOAD_DATA_TYPE: 401,
  /** The caller or the user is over its rate; retry after `retryAfterSeconds`. */
  THROTTLED: 406,

  // Arguments and look-ups.
  /** An argument of an API call is malformed (a target, an option, a state). */
  INVALID_ARGUMENT: 400,
  /** A feed or change cursor is not one Herald issued. */
  INVALID_CURSOR: 400,
  /** A change cursor is older than the retained change history: read the feed again. */
  CURSOR_EXPIRED: 410,
  /** No such notification for this user (or it expired). */
  NOTIFICATION_NOT_FOUND: 404,
  /** No such subscription. */
  SUBSCRIPTION_NOT_FOUND: 404,
  /** The subscription exists but is inactive or expired. */
  SUBSCRIPTION_INACTIVE: 410,
  /** The notification's `targetHostName` is not the subscription's app. */
  TARGET_MISMATCH: 400,
  /** A subscription names a transport that is not registered. */
  UNKNOWN_TRANSPORT: 400,
  /** The transport refused a subscription's endpoint (its address or secret). */
  INVALID_ENDPOINT: 400,
  /** The user has as many subscriptions as the service allows. */
  TOO_MANY_SUBSCRIPTIONS: 409,
  /** No such delivery for this user. */
  DELIVERY_NOT_FOUND: 404,
  /** Only a dead delivery can be retried. */
  DELIVERY_NOT_DEAD: 409,
  /** An idempotency key was reused with a different request. */
  IDEMPOTENCY_KEY_REUSED: 422,
  /**
   * A quiet-hours schedule is malformed: an unknown time zone, a time that is not `HH:MM`,
   * a day that is not a weekday name, or windows that leave no time of the week unquiet.
   * `issues` name each field.
   */
  INVALID_QUIET_HOURS: 400,
  /** A user's preferences are malformed; `issues` names each bad field. */
  INVALID_PREFERENCES: 400,
  /** A send asked to be `critical` and the `allowCritical` policy did not allow it (or there is none). */
  CRITICAL_NOT_ALLOWED: 403,

  // HTTP transport-level problems (used by @herald/http).
  /** No credentials, or credentials the authenticator rejected. */
  UNAUTHENTICATED: 401,
  /** The body is not valid JSON. */
  MALFORMED_JSON: 400,
  /** The `Content-Type` is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The body (or its decoded form) is over the size limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** No route at this path. */
  NOT_FOUND: 404,
  /** The body did not arrive in time. */
  REQUEST_TIMEOUT: 408,
  /**
   * The server read the request's body before Herald (a body parser in front of it) and
   * kept nothing Herald can use; a fault of the server's set-up, told to `onError`.
   */
  BODY_ALREADY_READ: 500,
  /** Something failed that is not the caller's fault; the details went to the server's log. */
  INTERNAL: 500,
  /**
   * An application's hook failed: a policy (`authorize`, `blockedCallers`) threw or
   * answered something other than true or false, or a retry policy's `delayMs` threw or
   * answered something other than milliseconds. The send is refused; a delivery ends dead.
   */
  POLICY_ERROR: 500,
  /**
   * The dispatcher could not finish an attempt (a store call failed mid-way, or a bug);
   * the delivery is released as a failed attempt and retried on its schedule.
   */
  DISPATCH_ERROR: 500,

  // Lifecycle and adapters.
  /** The service was closed. */
  SERVICE_CLOSED: 503,
  /** The store was closed. */
  STORE_CLOSED: 503,
  /** The store cannot be reached (a network store that is down); retry later. */
  STORE_UNAVAILABLE: 503,
  /** Another process holds the store's lock. */
  STORE_LOCKED: 423,
  /** The store's data is damaged or is not Herald's. */
  STORE_CORRUPT: 500,
  /** The store's data was written by a newer format version. */
  STORE_VERSION_MISMATCH: 500,
  /**
   * A send passed `transaction` to a store that cannot write in the app's transaction
   * (`capabilities.transactions` false); nothing was written. Use a store that can
   * (`@herald/store-postgres`), or send after the app's commit.
   */
  TRANSACTION_UNSUPPORTED: 400,
  /**
   * A send inside the app's transaction met a serialization failure or a deadlock
   * (PostgreSQL SQLSTATE 40001, 40P01): only the whole transaction can be tried again, so
   * the store cannot retry it. Nothing of the send was written; roll the app's
   * transaction back and run it again from its start.
   */
  TRANSACTION_CONFLICT: 409,
  /** The store's location cannot be used as it is (permission denied, read-only file system, a path through a file or too long): fix the path or its permissions. */
  STORE_INACCESSIBLE: 500,
  /** A transport failed in a way worth retrying. */
  TRANSPORT_RETRYABLE: 502,
  /** A transport failed in a way no retry will fix. */
  TRANSPORT_PERMANENT: 502,
  /**
   * A message is over its transport's size limit (Web Push: 4096 bytes encrypted): a
   * permanent failure, never truncated. Shorten the notification.
   */
  MESSAGE_TOO_LARGE: 502,
  /** The endpoint no longer exists; its subscription is deactivated. */
  ENDPOINT_GONE: 410,
  /** A transport did not answer within the attempt timeout. */
  TRANSPORT_TIMEOUT: 504,
} as const;

/** A stable Herald error code. */
export type HeraldErrorCode = keyof typeof errorStatuses;

/** One field-level problem found while validating input. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `payload.visualContent.title`; empty for the whole body. */
  readonly field: string;
  /** The rule that failed, e.g. `type`, `maxLength`, `required`, `enum`. */
  readonly rule: string;
  /** A sentence a person can act on. */
  readonly message: string;
}

/** Options of a {@link HeraldError}. */
export interface HeraldErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Field-level problems, for validation errors. */
  readonly issues?: readonly ValidationIssue[];
  /** For `THROTTLED` and retryable failures: seconds to wait before trying again. */
  readonly retryAfterSeconds?: number;
}

/**
 * The one error class Herald throws for bad input, refused requests and adapter failures.
 * Programmer errors (a wrong option at construction) are plain `TypeError`s instead.
 */
export class HeraldError extends Error {
  /** A stable code; match on it, not on the message. */
  readonly code: HeraldErrorCode;
  /** The HTTP status the code answers with. */
  readonly status: number;
  /** Field-level problems, for validation errors. */
  readonly issues: readonly ValidationIssue[];
  /** Seconds to wait before retrying, when the code is retryable. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: HeraldErrorCode, message: string, options: HeraldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HeraldError';
    this.code = code;
    this.status = errorStatuses[code];
    this.issues = options.issues ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** A plain object for logs and JSON responses. */
  toJSON(): { code: HeraldErrorCode; message: string; status: number; issues?: readonly ValidationIssue[] } {
    return this.issues.length > 0
      ? { code: this.code, message: this.message, status: this.status, issues: this.issues }
      : { code: this.code, message: this.message, status: this.status };
  }
}

/** True when `error` is a {@link HeraldError}, optionally with the given code. */
export function isHeraldError(error: unknown, code?: HeraldErrorCode): error is HeraldError {
  return isThrownInstance(error, HeraldError) && (code === undefined || error.code === code);
}

/**
 * Builds errors whose messages say where they came from: `[herald] [store-file] …`.
 * Adapters create one with their name and use it for every error they raise.
 */
export function errorFactory(source: string): (code: HeraldErrorCode, message: string, options?: HeraldErrorOptions) => HeraldError {
  const prefix = `[herald] [${source}] `;
  return (code, message, options) => new HeraldError(code, prefix + message, options);
}

/**
 * A wrong option of a factory (`createNotificationService`, a store, a transport): a
 * programmer's error, raised at once as a `TypeError` whose `code` is always
 * `INVALID_OPTION`, with the same prefix as {@link errorFactory}'s messages.
 */
export interface OptionError extends TypeError {
  readonly code: 'INVALID_OPTION';
}

/** Builds an {@link OptionError}: `[herald] [store-file] …`. */
export function optionError(source: string | undefined, message: string): OptionError {
  const prefix = source === undefined ? '[herald] ' : `[herald] [${source}] `;
  return Object.assign(new TypeError(prefix + message), { code: 'INVALID_OPTION' as const });
}
