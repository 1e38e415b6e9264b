/**
 * Assertions for vitest's `expect` about what a test service sent, delivered and holds.
 * Each failure message says what was expected and what was actually sent.
 *
 * ```ts
 * import { expect } from 'vitest';
 * import { heraldMatchers } from '@herald/testing';
 * expect.extend(heraldMatchers);
 * await expect(kit).toHaveSentTo('alice', { groupName: 'post-7' });
 * ```
 */
import { platformTypes, type PlatformType, type StoredNotification } from '@herald/core';
import { checkString, checkWholeNumber, describe, kitError } from './kit-checks.js';
import { explainSent } from './delivery-explanation.js';
import { checkNotificationMatch, describeList, describeMatch, describeNotification, matches, type NotificationMatch } from './notification-match.js';
import { checkEndpointMatch, type EndpointMatch, type RecordedDelivery } from './recording-transport.js';
import type { TestService } from './test-service.js';

/** What a matcher returns to vitest. */
interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** Where a delivery went: a platform name, or an endpoint match. */
export type DeliveryTarget = PlatformType | EndpointMatch;

function service(received: unknown, matcher: string): TestService {
  const candidate = received as Partial<TestService> | null;
  if (candidate === null || typeof candidate !== 'object' || !Array.isArray(candidate.sent) || candidate.transport === undefined) {
    throw kitError(matcher, `expects the object createTestService() returned, got ${describe(received)}`);
  }
  return candidate as TestService;
}

/** Refuses a delivery target that is neither a platform name nor an endpoint match. */
function checkTarget(where: string, target: unknown): void {
  if (typeof target === 'string') {
    if (!(platformTypes as readonly string[]).includes(target)) throw kitError(where, `target ${JSON.stringify(target)} is not a platform (${platformTypes.join(', ')}); match other endpoint fields with an object, e.g. { address: '…' }`);
    return;
  }
  if (target === undefined) throw kitError(where, `needs a target: a platform (${platformTypes.join(', ')}) or an endpoint match, got ${describe(target)}`);
  checkEndpointMatch(where, target);
}

function sentNotifications(kit: TestService): StoredNotification[] {
  return kit.sent.map((entry) => entry.notification);
}

function deliveredMatching(kit: TestService, target: DeliveryTarget): RecordedDelivery[] {
  const test =
    typeof target === 'string'
      ? (delivery: RecordedDelivery) => delivery.endpoint.platformType === target
      : typeof target === 'function'
        ? (delivery: RecordedDelivery) => target(delivery.endpoint, delivery.message)
        : (delivery: RecordedDelivery) => Object.entries(target).every(([key, value]) => delivery.endpoint[key as keyof typeof delivery.endpoint] === value);
  return kit.transport.delivered().filter(test);
}

function describeTarget(target: DeliveryTarget): string {
  if (typeof target === 'string') return `${/^[aeiou]/.test(target) ? 'an' : 'a'} ${target} endpoint`;
  return typeof target === 'function' ? 'an endpoint matching a predicate' : `an endpoint matching ${JSON.stringify(target)}`;
}

/** The matchers; install them with `expect.extend(heraldMatchers)`. */
export const heraldMatchers = {
  /** Some notification was sent (to anyone), optionally matching. */
  toHaveSent(received: unknown, match?: NotificationMatch): MatcherResult {
    const kit = service(received, 'toHaveSent');
    checkNotificationMatch('toHaveSent', match);
    const all = sentNotifications(kit);
    const hits = all.filter((notification) => matches(notification, match));
    return {
      pass: hits.length > 0,
      message: () =>
        hits.length > 0
          ? `expected no notification to be sent${describeMatch(match)}, but ${hits.length} was: ${describeList(hits)}`
          : `expected a notification to be sent${describeMatch(match)}, but what was sent is: ${describeList(all)}`,
    };
  },

  /**
   * A notification was sent to `userId`, optionally matching (await it). On failure, the
   * message says where each of the user's notifications went and which rule decided.
   */
  toHaveSentTo(received: unknown, userId: string, match?: NotificationMatch): Promise<MatcherResult> {
    const kit = service(received, 'toHaveSentTo');
    checkString('toHaveSentTo', 'userId', userId, false);
    checkNotificationMatch('toHaveSentTo', match);
    const all = sentNotifications(kit);
    const theirs = all.filter((notification) => notification.userId === userId);
    const hits = theirs.filter((notification) => matches(notification, match));
    const others = all.filter((notification) => notification.userId !== userId);
    if (hits.length > 0) {
      return Promise.resolve({ pass: true, message: () => `expected no notification sent to ${JSON.stringify(userId)}${describeMatch(match)}, but ${hits.length} was: ${describeList(hits)}` });
    }
    return explainSent(kit.service, theirs).then((why) => ({
      pass: false,
      message: () => {
        const elsewhere = others.length === 0 ? '' : `\nand to other users: ${describeList(others)}`;
        const went = why === '' ? '' : `\nwhere ${JSON.stringify(userId)}'s notifications went:${why}`;
        return `expected a notification sent to ${JSON.stringify(userId)}${describeMatch(match)}, but ${JSON.stringify(userId)} was sent: ${describeList(theirs)}${went}${elsewhere}`;
      },
    }));
  },

  /** Exactly `times` notifications were sent (to `userId` when given), optionally matching. */
  toHaveSentTimes(received: unknown, times: number, userId?: string, match?: NotificationMatch): MatcherResult {
    const kit = service(received, 'toHaveSentTimes');
    if (times === undefined) throw kitError('toHaveSentTimes', 'needs times, a whole number of at least 0');
    checkWholeNumber('toHaveSentTimes', 'times', times, 0);
    checkString('toHaveSentTimes', 'userId', userId);
    checkNotificationMatch('toHaveSentTimes', match);
    const hits = sentNotifications(kit).filter((notification) => (userId === undefined || notification.userId === userId) && matches(notification, match));
    const to = userId === undefined ? '' : ` to ${JSON.stringify(userId)}`;
    return {
      pass: hits.length === times,
      message: () => `expected ${times} notification${times === 1 ? '' : 's'} sent${to}${describeMatch(match)}, but ${hits.length === times ? 'there were exactly that many' : `there ${hits.length === 1 ? 'was' : 'were'} ${hits.length}`}: ${describeList(hits)}`,
    };
  },

  /** Nothing was sent at all. */
  toHaveSentNothing(received: unknown): MatcherResult {
    const kit = service(received, 'toHaveSentNothing');
    const all = sentNotifications(kit);
    return {
      pass: all.length === 0,
      message: () => (all.length === 0 ? 'expected something to be sent, but nothing was' : `expected nothing to be sent, but ${all.length} notification${all.length === 1 ? ' was' : 's were'}: ${describeList(all)}`),
    };
  },

  /**
   * A delivery reached an endpoint on `target` (a platform or an endpoint match),
   * optionally of a matching notification (await it). On failure, the message lists the
   * attempts, then where each matching sent notification went and which rule decided.
   */
  toHaveDeliveredTo(received: unknown, target: DeliveryTarget, match?: NotificationMatch): Promise<MatcherResult> {
    const kit = service(received, 'toHaveDeliveredTo');
    checkTarget('toHaveDeliveredTo', target);
    checkNotificationMatch('toHaveDeliveredTo', match);
    const hits = deliveredMatching(kit, target).filter((delivery) => matches(delivery.message.notification, match));
    const all = kit.transport.deliveries;
    const seen = all.length === 0 ? ' nothing was attempted' : all.map((delivery) => `\n  - ${delivery.outcome} to ${delivery.endpoint.platformType} ${JSON.stringify(delivery.endpoint.address)}: ${describeNotification(delivery.message.notification)}`).join('');
    if (hits.length > 0) {
      return Promise.resolve({ pass: true, message: () => `expected nothing delivered to ${describeTarget(target)}${describeMatch(match)}, but ${hits.length} delivery was made:${seen}` });
    }
    const sent = sentNotifications(kit).filter((notification) => matches(notification, match));
    return explainSent(kit.service, sent).then((why) => ({
      pass: false,
      message: () => `expected a delivery to ${describeTarget(target)}${describeMatch(match)}, but the attempts were:${seen}\n${why === '' ? `nothing${describeMatch(match)} was sent` : `where what was sent${describeMatch(match)} went:${why}`}`,
    }));
  },

  /** The user's feed holds a notification matching `match`. */
  async toHaveInFeed(received: unknown, userId: string, match?: NotificationMatch): Promise<MatcherResult> {
    const kit = service(received, 'toHaveInFeed');
    checkString('toHaveInFeed', 'userId', userId, false);
    checkNotificationMatch('toHaveInFeed', match);
    const feed: StoredNotification[] = [];
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await kit.service.feed.list(userId, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      feed.push(...page.items);
      cursor = page.nextCursor;
    }
    const hits = feed.filter((notification) => matches(notification, match));
    return {
      pass: hits.length > 0,
      message: () =>
        hits.length > 0
          ? `expected ${JSON.stringify(userId)}'s feed to hold no notification${describeMatch(match)}, but it holds: ${describeList(hits)}`
          : `expected ${JSON.stringify(userId)}'s feed to hold a notification${describeMatch(match)}, but it holds: ${describeList(feed)}`,
    };
  },

  /** The user has exactly `count` unread notifications. */
  async toHaveUnreadCount(received: unknown, userId: string, count: number): Promise<MatcherResult> {
    const kit = service(received, 'toHaveUnreadCount');
    checkString('toHaveUnreadCount', 'userId', userId, false);
    if (count === undefined) throw kitError('toHaveUnreadCount', 'needs count, a whole number of at least 0');
    checkWholeNumber('toHaveUnreadCount', 'count', count, 0);
    const actual = await kit.service.feed.unreadCount(userId);
    return {
      pass: actual === count,
      message: () => `expected ${JSON.stringify(userId)} to have ${count} unread notification${count === 1 ? '' : 's'}, but ${actual === count ? 'they do' : `they have ${actual}`}`,
    };
  },
};

/** The matchers' signatures, for vitest's `expect`. */
export interface HeraldMatchers<R = unknown> {
  /** Some notification was sent, optionally matching. */
  toHaveSent(match?: NotificationMatch): R;
  /** A notification was sent to `userId`, optionally matching (await it: a failure explains where the user's notifications went). */
  toHaveSentTo(userId: string, match?: NotificationMatch): Promise<R>;
  /** Exactly `times` notifications were sent (to `userId` when given), optionally matching. */
  toHaveSentTimes(times: number, userId?: string, match?: NotificationMatch): R;
  /** Nothing was sent. */
  toHaveSentNothing(): R;
  /** A delivery reached an endpoint on `target`, optionally of a matching notification (await it: a failure says which rule stopped each delivery). */
  toHaveDeliveredTo(target: DeliveryTarget, match?: NotificationMatch): Promise<R>;
  /** The user's feed holds a matching notification (await it). */
  toHaveInFeed(userId: string, match?: NotificationMatch): Promise<R>;
  /** The user has exactly `count` unread notifications (await it). */
  toHaveUnreadCount(userId: string, count: number): Promise<R>;
}

declare module 'vitest' {
  // Vitest declares `Matchers<T = any>`; a merged declaration must repeat its parameters.
  interface Matchers<T = any> extends HeraldMatchers<void> {}
}
