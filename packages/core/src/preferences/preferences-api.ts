/**
 * `service.preferences`: read, replace and resolve a user's preferences. `resolve` is the
 * precedence table applied to everything the user has, so an app can show "what reaches
 * me, and why" without reimplementing the rules.
 */
import { checkId } from '../arguments.js';
import type { PlatformType } from '../contract/types.js';
import type { ServiceContext } from '../context.js';
import { checkPreferences } from './check-preferences.js';
import { decideDelivery } from './decide.js';
import { quietUntil } from './quiet-hours-gate.js';
import type { DeliveryDecision } from './decision.js';
import { preferencePrecedence, type NotificationPreferences } from './precedence.js';

/** Newest notifications of the feed whose groups `resolve` lists beside those the rules name. */
const resolvedFeedDepth = 1000;

/** One cell of the resolved matrix: a subscription, and a group of its app (or no group). */
export interface ResolvedPreference {
  /** The subscription (endpoint). */
  readonly subscriptionId: string;
  /** Its app. */
  readonly targetHostName: string;
  /** Its platform. */
  readonly platformType: PlatformType;
  /** Its transport. */
  readonly transport: string;
  /** The group of the notifications this cell is for; absent for notifications without a group. */
  readonly groupName?: string;
  /** What a notification of this app and group, sent now to every platform, would do there, and why. */
  readonly decision: DeliveryDecision;
}

/** What `preferences.resolve` returns. */
export interface ResolvedPreferences {
  /** The user. */
  readonly userId: string;
  /** Their preferences as stored (`{}` when none were set). */
  readonly preferences: NotificationPreferences;
  /** The precedence table the decisions followed. */
  readonly precedence: typeof preferencePrecedence;
  /**
   * Every subscription of the user (whatever its status) × every group it may hear of —
   * no group, the groups the rules name, and the groups of the user's newest 1000
   * notifications of its app — with the decision and the rule that made it.
   */
  readonly matrix: readonly ResolvedPreference[];
}

/** The preference calls of a service. */
export interface PreferencesApi {
  /**
   * The user's preferences as stored (`NotificationPreferences`: `default`, `apps`, `groups`,
   * `platforms`, `transports`, `subscriptions`, `quietHours`); `{}` (deliver everything) when none were set.
   * @throws HeraldError `INVALID_ARGUMENT` (the user id), `SERVICE_CLOSED`
   */
  get(userId: string): Promise<NotificationPreferences>;
  /**
   * Replaces the user's preferences and returns them as stored. A send whose write starts
   * after this resolves decides with them.
   * @throws HeraldError `INVALID_PREFERENCES` naming each bad field, `INVALID_ARGUMENT` (the user id), `SERVICE_CLOSED`
   */
  set(userId: string, preferences: NotificationPreferences): Promise<NotificationPreferences>;
  /**
   * The full resolved matrix of the user's subscriptions and groups, decided at the
   * service clock's current time (quiet hours included). Writes nothing.
   * @throws HeraldError `INVALID_ARGUMENT` (the user id), `SERVICE_CLOSED`
   */
  resolve(userId: string): Promise<ResolvedPreferences>;
}

const none: NotificationPreferences = Object.freeze({});

/** Builds the preference calls over a service's context. */
export function createPreferencesApi(context: ServiceContext): PreferencesApi {
  const { store, clock } = context;
  return {
    async get(userId) {
      context.assertOpen();
      return (await store.getPreferences(checkId(userId, 'userId'))) ?? none;
    },

    async set(userId, preferences) {
      context.assertOpen();
      checkId(userId, 'userId');
      const checked = checkPreferences(preferences);
      await store.setPreferences(userId, checked, clock.now());
      return checked;
    },

    async resolve(userId) {
      context.assertOpen();
      checkId(userId, 'userId');
      const now = clock.now();
      const [stored, subscriptions, feed] = await Promise.all([
        store.getPreferences(userId),
        store.listSubscriptions(userId),
        store.listFeed(userId, { limit: resolvedFeedDepth }, now),
      ]);
      const preferences = stored ?? none;
      const named = Object.keys(preferences.groups ?? {});
      const timing = { now, dueAt: now, scheduled: false, critical: false };
      const quietEnd = quietUntil(preferences, now);
      const matrix = subscriptions.flatMap((subscription) => {
        const { id: subscriptionId, targetHostName, platformType, transport } = subscription;
        const fromFeed = feed.items.filter((item) => item.targetHostName === targetHostName).map((item) => item.groupName);
        const groups = [...new Set([undefined, ...named, ...fromFeed])];
        return groups.map((groupName): ResolvedPreference => {
          const decision = decideDelivery(subscription, groupName === undefined ? { targetHostName } : { targetHostName, groupName }, preferences, timing, quietEnd);
          const cell = { subscriptionId, targetHostName, platformType, transport, decision };
          return groupName === undefined ? cell : { ...cell, groupName };
        });
      });
      return { userId, preferences, precedence: preferencePrecedence, matrix };
    },
  };
}
