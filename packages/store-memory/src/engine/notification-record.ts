/**
 * Stored notifications are frozen records, built once per change and then handed out
 * as they are: reading a feed page copies nothing, and no caller can change them.
 */
import { deepFreeze, platformTypes, priorities } from '@herald/core/store';
import { flat } from './flat-string.js';
import type {
  FallbackPolicy,
  NotificationContent,
  OptionalContentField,
  NotificationPayload,
  VisualContent,
  PlatformType,
  ReadState,
  StoredNotification,
  Priority,
  TargetPolicy,
  UserActionState,
} from '@herald/core/store';

/**
 * The optional fields, in the field table's order, that {@link freezeContent} and the
 * record's constructor copy by name: named loads and stores stay monomorphic, where
 * `copyFields`' keyed ones (another name each turn of its loop) go through V8's
 * megamorphic stub cache on every send. A field the table adds is a compile error here
 * until both learn it.
 */
const copiedOptionalFields = ['targetPolicy', 'priority', 'groupName', 'displayTimeToLive', 'fallbackPolicy'] as const satisfies readonly OptionalContentField[];
const everyOptionalFieldCopied: [Exclude<OptionalContentField, (typeof copiedOptionalFields)[number]>] extends [never] ? true : never = true;
void everyOptionalFieldCopied;

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

/** The contract's own string for a priority, so a million records share three strings. */
function priorityConstant(priority: Priority): Priority {
  return priorities.find((known) => known === priority) ?? priority;
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
  /** The policy it returned last: most sends of an app name the same platforms, found without a key. */
  #lastTargetPolicy: TargetPolicy | undefined = undefined;

  /** The shared frozen form of `policy`. */
  targetPolicy(policy: TargetPolicy): TargetPolicy {
    const last = this.#lastTargetPolicy;
    if (last !== undefined && samePlatforms(last.platformTypes, policy.platformTypes)) return last;
    const platforms = policy.platformTypes?.map(platformConstant);
    // Only lists of known platforms are cached, so the cache stays a handful of entries.
    const cacheable = platforms === undefined || platforms.every((name) => platformTypes.includes(name));
    const key = platforms === undefined ? '' : platforms.join(',');
    const cached = cacheable ? this.#targetPolicies.get(key) : undefined;
    if (cached !== undefined) return cached;
    const frozen: TargetPolicy = Object.freeze(platforms === undefined ? {} : { platformTypes: Object.freeze(platforms) as PlatformType[] });
    if (cacheable) {
      this.#targetPolicies.set(key, frozen);
      this.#lastTargetPolicy = frozen;
    }
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

/** True when both lists name the same platforms in the same order (`kept` holds the contract's constants). */
function samePlatforms(kept: readonly PlatformType[] | undefined, given: readonly PlatformType[] | undefined): boolean {
  if (kept === undefined || given === undefined) return kept === given;
  if (kept.length !== given.length) return false;
  for (let index = 0; index < kept.length; index += 1) if (kept[index] !== given[index]) return false;
  return true;
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

type MutableContent = { -readonly [K in keyof NotificationContent]: NotificationContent[K] };

/**
 * A frozen copy of the contract's fields of `content` (nothing else), made before the
 * store changes anything: a save either writes everything or nothing. Strings flat, the
 * priority as the contract's constant, policies shared or frozen, absent fields absent;
 * field by field in the table's order ({@link copiedOptionalFields}).
 */
export function freezeContent(content: NotificationContent, interner: ContentInterner): NotificationContent {
  const copy: MutableContent = {
    targetHostName: flat(content.targetHostName),
    appNotificationId: flat(content.appNotificationId),
    payload: freezePayload(content.payload),
    expirationDateTime: flat(content.expirationDateTime),
  };
  const { targetPolicy, priority, groupName, displayTimeToLive, fallbackPolicy } = content;
  if (targetPolicy !== undefined) copy.targetPolicy = interner.targetPolicy(targetPolicy);
  if (priority !== undefined) copy.priority = priorityConstant(priority);
  if (groupName !== undefined) copy.groupName = flat(groupName);
  if (displayTimeToLive !== undefined) copy.displayTimeToLive = displayTimeToLive;
  if (fallbackPolicy !== undefined) copy.fallbackPolicy = interner.fallbackPolicy(fallbackPolicy);
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
  // The optional fields, in the table's order ({@link copiedOptionalFields}). V8 sizes the
  // object for every assignment here plus slack, so they all sit inside it.
  const { targetPolicy, priority, groupName, displayTimeToLive, fallbackPolicy } = content;
  if (targetPolicy !== undefined) this.targetPolicy = targetPolicy;
  if (priority !== undefined) this.priority = priority;
  if (groupName !== undefined) this.groupName = groupName;
  if (displayTimeToLive !== undefined) this.displayTimeToLive = displayTimeToLive;
  if (fallbackPolicy !== undefined) this.fallbackPolicy = fallbackPolicy;
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
