/**
 * Rows and records: how a table's row becomes the record the store hands out, and how a
 * delivery's state (decided by core's transitions) becomes its columns. Times are epoch
 * milliseconds in `bigint` columns, which the driver returns as strings.
 */
import { claimableAt, formatDateTime, pickContent } from '@herald/core/store';
import type {
  DeliveryError,
  DeliveryKind,
  DeliveryRecord,
  DeliveryState,
  DeliveryStatus,
  NotificationContent,
  PlatformType,
  ReadState,
  StoredNotification,
  StoredSubscription,
  SubscriptionStatus,
  UserActionState,
} from '@herald/core/store';

/** A `bigint` column as the driver returns it. */
type Big = string;

/** A time or count from a `bigint` column. */
export function big(value: Big | number): number {
  return Number(value);
}

/** A nullable `bigint` column. */
function bigOrNull(value: Big | number | null): number | null {
  return value === null ? null : Number(value);
}

/** The columns of a notification the records need. */
export const notificationColumns = 'n.id, n.user_id, n.content, n.created_at, n.modified_at, n.read_state, n.user_action_state, n.sequence, n.position, n.created_sequence, n.expires_at';

/** A row of {@link notificationColumns}. */
export interface NotificationRow {
  readonly id: string;
  readonly user_id: string;
  readonly content: NotificationContent;
  readonly created_at: Big;
  readonly modified_at: Big;
  readonly read_state: ReadState;
  readonly user_action_state: UserActionState;
  readonly sequence: Big;
  readonly position: Big;
  readonly created_sequence: Big;
  readonly expires_at: Big;
}

/** What a stored notification is made of beyond its content. */
export interface NotificationState {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly readState: ReadState;
  readonly userActionState: UserActionState;
  readonly sequence: number;
}

/** The record of `content` in `state`: the contract's fields (absent ones absent) and the store's. */
export function notificationRecord(content: NotificationContent, state: NotificationState): StoredNotification {
  // Assigned onto the picked copy rather than spread into a literal: V8 builds an object
  // spread followed by more fields many times slower (7.6 µs against 0.5 µs a record,
  // measured), and a feed page makes 20 of them.
  return Object.assign(pickContent(content), {
    id: state.id,
    userId: state.userId,
    createdDateTime: formatDateTime(state.createdAt),
    lastModifiedDateTime: formatDateTime(state.modifiedAt),
    readState: state.readState,
    userActionState: state.userActionState,
    sequence: state.sequence,
  });
}

/** The record of a notification row. */
export function notificationOf(row: NotificationRow): StoredNotification {
  return notificationRecord(row.content, {
    id: row.id,
    userId: row.user_id,
    createdAt: big(row.created_at),
    modifiedAt: big(row.modified_at),
    readState: row.read_state,
    userActionState: row.user_action_state,
    sequence: big(row.sequence),
  });
}

/** The columns of a subscription. */
export const subscriptionColumns = 's.id, s.user_id, s.target_host_name, s.platform_type, s.transport, s.status, s.created_at, s.modified_at, s.expires_at, s.details';

/** What a subscription keeps in its `details` column: the texts that may hold any Unicode. */
export interface SubscriptionDetails {
  readonly address: string;
  readonly secret?: string;
  readonly statusReason?: string;
}

/** A row of {@link subscriptionColumns}. */
export interface SubscriptionRow {
  readonly id: string;
  readonly user_id: string;
  readonly target_host_name: string;
  readonly platform_type: PlatformType;
  readonly transport: string;
  readonly status: SubscriptionStatus;
  readonly created_at: Big;
  readonly modified_at: Big;
  readonly expires_at: Big;
  readonly details: SubscriptionDetails;
}

/** The record of a subscription row. */
export function subscriptionOf(row: SubscriptionRow): StoredSubscription {
  const { address, secret, statusReason } = row.details;
  return {
    id: row.id,
    userId: row.user_id,
    targetHostName: row.target_host_name,
    platformType: row.platform_type,
    transport: row.transport,
    address,
    ...(secret === undefined ? {} : { secret }),
    createdDateTime: formatDateTime(big(row.created_at)),
    lastModifiedDateTime: formatDateTime(big(row.modified_at)),
    expirationDateTime: formatDateTime(big(row.expires_at)),
    status: row.status,
    ...(statusReason === undefined ? {} : { statusReason }),
  };
}

/** The columns of a delivery. */
export const deliveryColumns =
  'd.id, d.user_id, d.notification_id, d.subscription_id, d.transport, d.platform_type, d.kind, d.status, d.attempts, d.next_attempt_at, d.created_at, d.updated_at, d.delivered_at, d.last_error, d.lease_owner, d.lease_token, d.lease_expires_at';

/** A row of {@link deliveryColumns}. */
export interface DeliveryRow {
  readonly id: string;
  readonly user_id: string;
  readonly notification_id: string;
  readonly subscription_id: string;
  readonly transport: string;
  readonly platform_type: PlatformType;
  readonly kind: DeliveryKind;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly next_attempt_at: Big | null;
  readonly created_at: Big;
  readonly updated_at: Big;
  readonly delivered_at: Big | null;
  readonly last_error: DeliveryError | null;
  readonly lease_owner: string | null;
  readonly lease_token: string | null;
  readonly lease_expires_at: Big | null;
}

/** The record of a delivery row. */
export function deliveryOf(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    userId: row.user_id,
    notificationId: row.notification_id,
    subscriptionId: row.subscription_id,
    transport: row.transport,
    platformType: row.platform_type,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: bigOrNull(row.next_attempt_at),
    createdAt: big(row.created_at),
    updatedAt: big(row.updated_at),
    ...(row.delivered_at === null ? {} : { deliveredAt: big(row.delivered_at) }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.lease_token === null ? {} : { lease: { owner: row.lease_owner as string, token: row.lease_token, expiresAt: big(row.lease_expires_at as Big) } }),
  };
}

/**
 * The columns of `state`, in the order of {@link stateColumnNames}: what a transition
 * writes. `claimable_at` is core's `claimableAt`, `died_at` the time it died (while dead).
 */
export function stateColumns(state: DeliveryState): readonly unknown[] {
  return [
    state.status,
    state.attempts,
    state.nextAttemptAt,
    state.updatedAt,
    state.deliveredAt ?? null,
    state.lastError === undefined ? null : JSON.stringify(state.lastError),
    state.lease?.owner ?? null,
    state.lease?.token ?? null,
    state.lease?.expiresAt ?? null,
    claimableAt(state) ?? null,
    state.status === 'dead' ? state.updatedAt : null,
  ];
}

/** The columns {@link stateColumns} fills, with their SQL types. */
export const stateColumnNames = [
  ['status', 'text'],
  ['attempts', 'integer'],
  ['next_attempt_at', 'bigint'],
  ['updated_at', 'bigint'],
  ['delivered_at', 'bigint'],
  ['last_error', 'json'],
  ['lease_owner', 'text'],
  ['lease_token', 'text'],
  ['lease_expires_at', 'bigint'],
  ['claimable_at', 'bigint'],
  ['died_at', 'bigint'],
] as const;
