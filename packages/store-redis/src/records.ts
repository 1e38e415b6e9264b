/**
 * Stored records to and from Redis hashes. Scripts answer with flat `[field, value, …]`
 * arrays; these functions make the records the interface promises out of them: fresh
 * objects on every read (so no caller can change stored state), optional fields absent.
 * A reply of the wrong shape means the keys are not Herald's: `STORE_CORRUPT`.
 */
import type {
  DeliveryKind,
  DeliveryLease,
  DeliveryRecord,
  DeliveryStatus,
  NewNotification,
  NotificationContent,
  PlatformType,
  ReadState,
  StoredNotification,
  StoredSubscription,
  SubscriptionStatus,
  UserActionState,
} from '@herald/core/store';
import { pickContent } from '@herald/core/store';
import { storeError } from './errors.js';

/** A hash as a map of its fields. */
export type Fields = Readonly<Record<string, string>>;

function corrupt(what: string): never {
  throw storeError('STORE_CORRUPT', `Redis answered ${what}; the keys under this prefix may not be Herald's`);
}

/** `reply` as an array, or a `STORE_CORRUPT` error. */
export function listOf(reply: unknown, what: string): unknown[] {
  return Array.isArray(reply) ? reply : corrupt(`something other than a list for ${what}`);
}

/** `reply` as a string, or a `STORE_CORRUPT` error. */
export function textOf(reply: unknown, what: string): string {
  return typeof reply === 'string' ? reply : corrupt(`something other than text for ${what}`);
}

/** `reply` as a number (an integer reply or a number in text), or a `STORE_CORRUPT` error. */
export function numberOf(reply: unknown, what: string): number {
  const value = typeof reply === 'number' ? reply : typeof reply === 'string' ? Number(reply) : Number.NaN;
  return Number.isNaN(value) ? corrupt(`something other than a number for ${what}`) : value;
}

/** A flat `[field, value, …]` reply as a map; an empty reply is an empty map. */
export function fieldsOf(reply: unknown, what: string): Fields {
  const flat = listOf(reply, what);
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) {
    fields[textOf(flat[index], what)] = textOf(flat[index + 1], what);
  }
  return fields;
}

function field(fields: Fields, name: string, what: string): string {
  return fields[name] ?? corrupt(`a ${what} without its field ${name}`);
}

/**
 * The contract content of a notification to store, as JSON: only the contract's fields
 * (from its field table, in its order), none undefined. Every kind is a JSON value, so
 * JSON is the codec of every kind; reading parses the body whole.
 */
export function contentBody(notification: NewNotification): string {
  return JSON.stringify(pickContent(notification));
}

function parseBody(body: string): NotificationContent {
  try {
    return JSON.parse(body) as NotificationContent;
  } catch (error) {
    throw storeError('STORE_CORRUPT', 'a stored notification has a body that is not JSON', { cause: error });
  }
}

/** A stored notification while its fields are set, one by one, on the parsed content. */
type Building = { -readonly [K in keyof StoredNotification]: StoredNotification[K] };

/**
 * A stored notification: its content parsed from `body`, with the store's own fields set
 * on that same object. Not `{ ...parsed, id, … }`: with spread copies of freshly parsed
 * objects, V8's young-generation collections kept promoting survivors, and during feed
 * reads each one took 2–3 ms (the whole p99 of a feed page, 3.5 ms); setting the fields
 * on the parsed object allocates once and leaves nothing behind. Every call parses, so no
 * two results share an object.
 */
export function storedNotification(
  body: string,
  id: string,
  userId: string,
  createdDateTime: string,
  lastModifiedDateTime: string,
  readState: ReadState,
  userActionState: UserActionState,
  sequence: number,
): StoredNotification {
  const notification = parseBody(body) as Building;
  notification.id = id;
  notification.userId = userId;
  notification.createdDateTime = createdDateTime;
  notification.lastModifiedDateTime = lastModifiedDateTime;
  notification.readState = readState;
  notification.userActionState = userActionState;
  notification.sequence = sequence;
  return notification;
}

/** The notification an idempotency key's snapshot holds (a hash with the `note` fields). */
export function notificationFrom(fields: Fields, userId: string): StoredNotification {
  return storedNotification(
    field(fields, 'body', 'notification'),
    field(fields, 'id', 'notification'),
    userId,
    field(fields, 'cdt', 'notification'),
    field(fields, 'mdt', 'notification'),
    field(fields, 'rs', 'notification') as ReadState,
    field(fields, 'as', 'notification') as UserActionState,
    Number(field(fields, 'seq', 'notification')),
  );
}

/**
 * A notification row, as scripts return notifications: `id`, `body`, `cdt`, `mdt`, `rs`,
 * `as`, `seq`, `pos`, … in the order of `NOTE_FIELDS` in the Lua prelude.
 */
export interface NotificationRow {
  /** The notification. */
  readonly notification: StoredNotification;
  /** Its feed position. */
  readonly position: number;
}

/** The notification in a row, or `undefined` when the row is of a missing notification. */
export function notificationFromRow(reply: unknown, userId: string): NotificationRow | undefined {
  const row = listOf(reply, 'a notification');
  if (row[0] === null || row[0] === undefined) return undefined;
  const [id, body, cdt, mdt, rs, as, seq, pos] = row.map((value) => textOf(value ?? '', 'a notification field'));
  if (id === undefined || body === undefined || cdt === undefined || mdt === undefined || rs === undefined || as === undefined || seq === undefined || pos === undefined) {
    return corrupt('a notification row that is too short');
  }
  return {
    notification: storedNotification(body, id, userId, cdt, mdt, rs as ReadState, as as UserActionState, Number(seq)),
    position: Number(pos),
  };
}

/** The delivery a `dlv` hash holds. */
export function deliveryFrom(fields: Fields): DeliveryRecord {
  const next = field(fields, 'next', 'delivery');
  const record: { -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K] } = {
    id: field(fields, 'id', 'delivery'),
    userId: field(fields, 'u', 'delivery'),
    notificationId: field(fields, 'n', 'delivery'),
    subscriptionId: field(fields, 'sub', 'delivery'),
    transport: field(fields, 'tr', 'delivery'),
    platformType: field(fields, 'pl', 'delivery') as PlatformType,
    kind: field(fields, 'k', 'delivery') as DeliveryKind,
    status: field(fields, 'st', 'delivery') as DeliveryStatus,
    attempts: Number(field(fields, 'at', 'delivery')),
    nextAttemptAt: next === '' ? null : Number(next),
    createdAt: Number(field(fields, 'c', 'delivery')),
    updatedAt: Number(field(fields, 'up', 'delivery')),
  };
  const { dl, ec, em, ea, lo, lt, lx } = fields;
  if (dl !== undefined) record.deliveredAt = Number(dl);
  if (ec !== undefined && em !== undefined && ea !== undefined) record.lastError = { code: ec, message: em, at: Number(ea) };
  if (lo !== undefined && lt !== undefined && lx !== undefined) record.lease = { owner: lo, token: lt, expiresAt: Number(lx) };
  return record;
}

/**
 * The delivery a claim's row holds from `at` on: the values of `deliveryRowFields`
 * (scripts/claims.ts) in order, `null` for an absent optional field; the new `lease` is
 * the claimer's own. Read by position, with no map of the fields in between: it runs for
 * every claimed delivery.
 */
export function deliveryFromRow(row: readonly unknown[], at: number, lease: DeliveryLease): DeliveryRecord & { readonly lease: DeliveryLease } {
  const text = (index: number): string => textOf(row[at + index], 'a claimed delivery');
  const next = text(9);
  const record: { -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K] } = {
    id: text(0),
    userId: text(1),
    notificationId: text(2),
    subscriptionId: text(3),
    transport: text(4),
    platformType: text(5) as PlatformType,
    kind: text(6) as DeliveryKind,
    status: text(7) as DeliveryStatus,
    attempts: Number(text(8)),
    nextAttemptAt: next === '' ? null : Number(next),
    createdAt: Number(text(10)),
    updatedAt: Number(text(11)),
  };
  if (row[at + 12] !== null) record.deliveredAt = Number(text(12));
  if (row[at + 13] !== null && row[at + 14] !== null && row[at + 15] !== null) record.lastError = { code: text(13), message: text(14), at: Number(text(15)) };
  record.lease = lease;
  return record as DeliveryRecord & { readonly lease: DeliveryLease };
}

/**
 * A subscription as `listSubscriptions` returns it: the values of its hash's fields in the
 * order of `subscriptionRowFields` (scripts/subscription-lua.ts), `sec` and `rsn` nil when
 * absent. Read by position, with no map of the fields in between: it runs on every send.
 */
export function subscriptionFromRow(reply: unknown): StoredSubscription {
  const row = listOf(reply, 'a subscription');
  const text = (index: number): string => textOf(row[index], 'a subscription field');
  const record: { -readonly [K in keyof StoredSubscription]: StoredSubscription[K] } = {
    id: text(0),
    userId: text(1),
    targetHostName: text(2),
    platformType: text(3) as PlatformType,
    transport: text(4),
    address: text(5),
    createdDateTime: text(6),
    lastModifiedDateTime: text(7),
    expirationDateTime: text(8),
    status: text(9) as SubscriptionStatus,
  };
  if (row[10] !== null && row[10] !== undefined) record.secret = text(10);
  if (row[11] !== null && row[11] !== undefined) record.statusReason = text(11);
  return record;
}

/** The subscription a `sub` hash holds. */
export function subscriptionFrom(fields: Fields): StoredSubscription {
  const record: { -readonly [K in keyof StoredSubscription]: StoredSubscription[K] } = {
    id: field(fields, 'id', 'subscription'),
    userId: field(fields, 'u', 'subscription'),
    targetHostName: field(fields, 'host', 'subscription'),
    platformType: field(fields, 'pl', 'subscription') as PlatformType,
    transport: field(fields, 'tr', 'subscription'),
    address: field(fields, 'addr', 'subscription'),
    createdDateTime: field(fields, 'cdt', 'subscription'),
    lastModifiedDateTime: field(fields, 'mdt', 'subscription'),
    expirationDateTime: field(fields, 'edt', 'subscription'),
    status: field(fields, 'st', 'subscription') as SubscriptionStatus,
  };
  if (fields['sec'] !== undefined) record.secret = fields['sec'];
  if (fields['rsn'] !== undefined) record.statusReason = fields['rsn'];
  return record;
}
