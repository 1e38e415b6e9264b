/**
 * Stored notifications are frozen records, built once per change and then handed out
 * as they are: reading a feed page copies nothing, and no caller can change them.
 */
import { asIsCopiers, contentFieldNames, copyFields, deepFreeze, optionalContentFields, platformTypes } from '@herald/core/store';
import { flat } from './flat-string.js';
import type {
  FallbackPolicy,
  FieldCopiers,
  NotificationContent,
  NotificationPayload,
  VisualContent,
  PlatformType,
  ReadState,
  StoredNotification,
  TargetPolicy,
  UserActionState,
} from '@herald/core/store';

/**
 * A deep, frozen copy of JSON content, without `undefined` properties (absent, not
 * undefined). A JSON round trip rather than a copy property by property: the contract's
 * content is JSON, and `JSON.parse` makes objects of exactly their size with flat
 * strings, some 40 bytes less per notification.
 */
export function frozenCopy<T>(value: T): T {
  if (value === undefined) return value;
  return deepFreeze(JSON.parse(JSON.stringify(value)) as T);
}

/** The canonical string of a platform, so a million records share four strings. */
function platformConstant(name: PlatformType): PlatformType {
  return platformTypes.find((known) => known === name) ?? name;
}

/**
 * Shares the immutable parts of notification content across records: a target policy
 * is one of a few platform lists, so equal ones are one frozen object.
 */
export class ContentInterner {
  readonly #targetPolicies = new Map<string, TargetPolicy>();

  /**
   * How each kind of field is kept: strings flat, enum values as the contract's own
   * constants (a million records share three strings), policies shared or frozen.
   */
  readonly copiers: FieldCopiers = {
    text: flat,
    'date-time': flat,
    enum: (value, spec) => spec.values.find((known) => known === value) ?? value,
    number: (value) => value,
    payload: freezePayload,
    'target-policy': (policy) => this.targetPolicy(policy),
    'fallback-policy': (policy) => this.fallbackPolicy(policy),
  };

  /** The shared frozen form of `policy`. */
  targetPolicy(policy: TargetPolicy): TargetPolicy {
    const platforms = policy.platformTypes?.map(platformConstant);
    // Only lists of known platforms are cached, so the cache stays a handful of entries.
    const cacheable = platforms === undefined || platforms.every((name) => platformTypes.includes(name));
    const key = platforms === undefined ? '' : platforms.join(',');
    const cached = cacheable ? this.#targetPolicies.get(key) : undefined;
    if (cached !== undefined) return cached;
    const frozen: TargetPolicy = Object.freeze(platforms === undefined ? {} : { platformTypes: Object.freeze(platforms) as PlatformType[] });
    if (cacheable) this.#targetPolicies.set(key, frozen);
    return frozen;
  }

  /** The frozen form of `policy`, with its platform names shared. */
  fallbackPolicy(policy: FallbackPolicy): FallbackPolicy {
    const endpoint = policy.endpointFallback;
    return frozenCopy({
      ...policy,
      endpointFallback: { ...endpoint, platformTypes: endpoint.platformTypes.map(platformConstant) },
    });
  }
}

/** A frozen copy of visual content: an object literal per shape, sized exactly, strings flat. */
function freezeVisual(visual: VisualContent): VisualContent {
  const { title, body } = visual;
  if (title !== undefined && body !== undefined) return Object.freeze({ title: flat(title), body: flat(body) });
  if (title !== undefined) return Object.freeze({ title: flat(title) });
  return Object.freeze(body === undefined ? {} : { body: flat(body) });
}

/**
 * A frozen copy of a payload, field by field: its shape is the contract's, so this is
 * several times faster than a JSON round trip and makes objects just as tight.
 */
function freezePayload(payload: NotificationPayload): NotificationPayload {
  const { visualContent, rawContent } = payload;
  if (visualContent !== undefined && rawContent !== undefined) return Object.freeze({ visualContent: freezeVisual(visualContent), rawContent: flat(rawContent) });
  if (visualContent !== undefined) return Object.freeze({ visualContent: freezeVisual(visualContent) });
  return Object.freeze(rawContent === undefined ? {} : { rawContent: flat(rawContent) });
}

/**
 * A frozen copy of the contract's fields of `content` (nothing else), made before the
 * store changes anything: a save either writes everything or nothing. Field by field from
 * the contract's field table, each kind copied by its copier of `interner`.
 */
export function freezeContent(content: NotificationContent, interner: ContentInterner): NotificationContent {
  const copy = {} as NotificationContent;
  copyFields(content, contentFieldNames, interner.copiers, copy);
  return Object.freeze(copy);
}

/** What a stored record needs beyond the content. */
export interface RecordFields {
  /** The notification's id. */
  readonly id: string;
  /** The user, as the user's feed spells it (one shared string per user). */
  readonly userId: string;
  /** The app, as the user's feed spells it (one shared string per app and user). */
  readonly targetHostName: string;
  /** ISO 8601 creation time. */
  readonly createdDateTime: string;
  /** ISO 8601 time of the last change. */
  readonly lastModifiedDateTime: string;
  /** The user's change sequence at this change. */
  readonly sequence: number;
}

type MutableRecord = { -readonly [K in keyof StoredNotification]: StoredNotification[K] };

/**
 * Makes a record's object. A constructor function rather than a literal: V8 sizes the
 * objects a constructor makes for every property it may set, so the optional fields
 * sit inside the object, where a literal plus later assignments spills them into a
 * separate array (about 35 bytes more per notification). Its prototype is
 * `Object.prototype`, so records are plain objects; the fixed key order keeps them on a
 * few hidden classes.
 */
const RecordObject = function (this: MutableRecord, content: NotificationContent, fields: RecordFields, readState: ReadState, userActionState: UserActionState): void {
  this.id = fields.id;
  this.userId = fields.userId;
  this.targetHostName = fields.targetHostName;
  this.appNotificationId = content.appNotificationId;
  this.payload = content.payload;
  this.expirationDateTime = content.expirationDateTime;
  this.createdDateTime = fields.createdDateTime;
  this.lastModifiedDateTime = fields.lastModifiedDateTime;
  this.readState = readState;
  this.userActionState = userActionState;
  this.sequence = fields.sequence;
  // The optional fields, from the contract's field table, in its order. V8 sizes the object
  // for the eleven assignments above plus eight, so up to eight optional fields sit inside.
  copyFields(content, optionalContentFields, asIsCopiers, this);
} as unknown as { new (content: NotificationContent, fields: RecordFields, readState: ReadState, userActionState: UserActionState): MutableRecord; prototype: object };
RecordObject.prototype = Object.prototype;

/** A frozen, unread, untouched record of `content` (from {@link freezeContent}); `fields.id` must be flat. */
export function notificationRecord(content: NotificationContent, fields: RecordFields): StoredNotification {
  return Object.freeze(new RecordObject(content, fields, 'unread', 'noInteraction'));
}

/** What a record read back from a snapshot holds beyond its content. */
export interface RestoredFields extends RecordFields {
  /** Whether the user has read it. */
  readonly readState: ReadState;
  /** What the user did with it. */
  readonly userActionState: UserActionState;
}

/**
 * A frozen record read back from a snapshot, in the same object shape as the records
 * the engine builds itself. `content` must already be frozen and flat.
 */
export function restoredRecord(content: NotificationContent, fields: RestoredFields): StoredNotification {
  return Object.freeze(new RecordObject(content, fields, fields.readState, fields.userActionState));
}

/** The record after a state change: same content and position, new state and sequence. */
export function withState(
  record: StoredNotification,
  readState: ReadState,
  userActionState: UserActionState,
  lastModifiedDateTime: string,
  sequence: number,
): StoredNotification {
  const { id, userId, targetHostName, createdDateTime } = record;
  return Object.freeze(new RecordObject(record, { id, userId, targetHostName, createdDateTime, lastModifiedDateTime, sequence }, readState, userActionState));
}

/** The epoch milliseconds at which a notification expires (never, when unparseable). */
export function expiryTime(expirationDateTime: string): number {
  const time = Date.parse(expirationDateTime);
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}
