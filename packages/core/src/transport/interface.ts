/**
 * The transport interface: how a delivery reaches an endpoint. A transport implements
 * one method; the dispatcher owns retries, timeouts, leases and bookkeeping.
 */
import type { PlatformType, ReadState, UserActionState } from '../contract/types.js';
import { HeraldError, type HeraldErrorCode } from '../errors.js';
import type { DeliveryKind, StoredNotification } from '../records.js';
import type { RetryPolicy } from '../retry.js';
import { isThrownInstance, messageOfThrown } from '../thrown-text.js';

/** What a transport is asked to deliver. */
export interface TransportMessage {
  /**
   * The delivery's stable id: the same on every attempt of this delivery. Pass it on
   * as an idempotency key (a webhook id, a collapse key) so receivers can deduplicate.
   */
  readonly deliveryId: string;
  /** The notification itself, or the visual fallback of an unacknowledged raw one. */
  readonly kind: Exclude<DeliveryKind, 'sync'>;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  /**
   * The notification to deliver. For a `fallback` delivery its payload is the fallback's
   * visual content.
   */
  readonly notification: StoredNotification;
}

/**
 * A notification's state as a sync message carries it: what one of the user's endpoints
 * changed, for the others to show. `stateChanged` carries the state as it stands when
 * the message is attempted (so a late retry never brings back an older state);
 * `deleted` means the notification is gone: remove it (it reads as read and dismissed).
 */
export interface NotificationSync {
  /** `stateChanged` (read or action state changed) or `deleted`. */
  readonly type: 'stateChanged' | 'deleted';
  /** The notification's id. */
  readonly notificationId: string;
  /** The user it belongs to. */
  readonly userId: string;
  /** Its read state; `read` once deleted. */
  readonly readState: ReadState;
  /** What the user did with it; `dismissed` once deleted. */
  readonly userActionState: UserActionState;
  /** When its state last changed (ISO 8601 UTC); for a deletion, when it was deleted. */
  readonly lastModifiedDateTime: string;
}

/**
 * A sync message: one of the user's endpoints changed a notification's state (or deleted
 * it), and this endpoint is told. Only transports with {@link Transport.sendSync} get them.
 */
export interface SyncMessage {
  /** The delivery's stable id, as for {@link TransportMessage.deliveryId}. */
  readonly deliveryId: string;
  /** Always `sync`. */
  readonly kind: 'sync';
  /** This attempt's number, from 1. */
  readonly attempt: number;
  /** The state to show. */
  readonly sync: NotificationSync;
}

/** The endpoint a message goes to: the parts of its subscription a transport needs. */
export interface Endpoint {
  /** The subscription's id. */
  readonly subscriptionId: string;
  /** The user the endpoint belongs to. */
  readonly userId: string;
  /** The app on the endpoint. */
  readonly targetHostName: string;
  /** The endpoint's platform. */
  readonly platformType: PlatformType;
  /** What the transport needs: a URL, a device token, … */
  readonly address: string;
  /** A secret for this endpoint, when the subscription has one. */
  readonly secret?: string;
}

/**
 * An endpoint as a subscription is being created: what {@link Transport.checkEndpoint}
 * is asked to accept before anything is stored.
 */
export type EndpointCandidate = Omit<Endpoint, 'subscriptionId'>;

/** What a transport gets besides the message and the endpoint. */
export interface TransportContext {
  /**
   * Aborted when the attempt times out or the service stops; stop work when it fires.
   * Made on first read (most transports never read it), so it is a getter: a transport
   * that wraps another passes this context on as it is, not a copy made by spreading it
   * (`{ ...context }` leaves `signal` out).
   */
  readonly signal: AbortSignal;
  /** The current time from the service's clock (epoch ms). */
  readonly now: number;
}

/**
 * A transport: a name and a `send`. `send` resolves when the endpoint accepted the
 * message and rejects with a {@link TransportError} to say how it failed; any other
 * rejection counts as retryable.
 */
export interface Transport {
  /** The name subscriptions use to pick this transport. */
  readonly name: string;
  /** Delivers one message to one endpoint. */
  send(message: TransportMessage, endpoint: Endpoint, context: TransportContext): Promise<void>;
  /**
   * Delivers one sync message (another endpoint changed a notification's state) to one
   * endpoint, with the same error rules as `send`. Present exactly when the transport
   * carries sync messages: a transport without it never gets sync deliveries, and its
   * endpoints catch up by reading the feed.
   */
  sendSync?(message: SyncMessage, endpoint: Endpoint, context: TransportContext): Promise<void>;
  /**
   * Checks an endpoint when its subscription is created (`subscriptions.create`), so a
   * malformed address or secret is refused then, not at its first delivery. Throws (or
   * rejects) to refuse: a `HeraldError` is passed on as it is (use `INVALID_ENDPOINT`),
   * anything else becomes `INVALID_ENDPOINT` with its message. Optional.
   */
  checkEndpoint?(endpoint: EndpointCandidate): void | Promise<void>;
  /** A retry schedule for this transport's deliveries, instead of the dispatcher's. */
  readonly retry?: RetryPolicy;
  /** Releases connections and timers. May be called more than once. */
  close?(): void | Promise<void>;
}

/** How a delivery attempt failed. */
export type TransportFailure = 'retryable' | 'permanent' | 'endpointGone' | 'timeout';

const failureCodes: Record<TransportFailure, HeraldErrorCode> = {
  retryable: 'TRANSPORT_RETRYABLE',
  permanent: 'TRANSPORT_PERMANENT',
  endpointGone: 'ENDPOINT_GONE',
  timeout: 'TRANSPORT_TIMEOUT',
};

/** Options of a {@link TransportError}. */
export interface TransportErrorOptions {
  /** The underlying error. */
  readonly cause?: unknown;
  /** The endpoint's own hint of when to try again, in milliseconds. */
  readonly retryAfterMs?: number;
  /**
   * A code more precise than the failure's own (`TRANSPORT_PERMANENT`, …), recorded as
   * the delivery's `lastError.code`: `MESSAGE_TOO_LARGE` for a message over the
   * transport's size limit. How the dispatcher treats the attempt follows the failure.
   * @default the failure's code
   */
  readonly code?: HeraldErrorCode;
}

/** A normalized transport failure: retryable, permanent, endpoint gone, or timed out. */
export class TransportError extends HeraldError {
  /** How the attempt failed. */
  readonly failure: TransportFailure;
  /** The endpoint's hint of when to try again, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(failure: TransportFailure, message: string, options: TransportErrorOptions = {}) {
    super(options.code ?? failureCodes[failure], message, {
      cause: options.cause,
      ...(options.retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(options.retryAfterMs / 1000) }),
    });
    this.name = 'TransportError';
    this.failure = failure;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** A failure worth retrying, optionally not before `retryAfterMs`. */
  static retryable(message: string, options?: TransportErrorOptions): TransportError {
    return new TransportError('retryable', message, options);
  }

  /** A failure no retry will fix: the delivery ends as dead. */
  static permanent(message: string, options?: TransportErrorOptions): TransportError {
    return new TransportError('permanent', message, options);
  }

  /** The endpoint no longer exists: the delivery ends and the subscription is deactivated. */
  static endpointGone(message: string, options?: TransportErrorOptions): TransportError {
    return new TransportError('endpointGone', message, options);
  }
}

/** Normalizes anything a transport threw into a {@link TransportError}. */
export function toTransportError(error: unknown): TransportError {
  if (isThrownInstance(error, TransportError)) return error;
  const message = messageOfThrown(error);
  return TransportError.retryable(message === '' ? 'the transport failed' : message, { cause: error });
}
