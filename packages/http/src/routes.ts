/**
 * The route table: which path answers which methods, and with what.
 */
import type { NotificationService } from '@herald/core';
import type { Exchange, HttpCaller } from './exchange.js';
import * as notifications from './notification-routes.js';
import type { BodyLimits } from './request-body.js';
import * as subscriptions from './subscription-routes.js';

/** A route's work for one method. */
export type Action = (exchange: Exchange, service: NotificationService, caller: HttpCaller, limits: BodyLimits) => Promise<void>;

/** The methods of one path; `public` paths need no authentication. */
export interface Route {
  readonly methods: Readonly<Record<string, Action>>;
  readonly public?: boolean;
}

/** Finds the route of a path (segments below the mount point), or `undefined`. */
export function routeOf(segments: readonly string[], openApi: Action): Route | undefined {
  const [first, second, third, fourth, ...rest] = segments;
  if (rest.length > 0) return undefined;
  if (first === 'openapi.json' && second === undefined) return { methods: { GET: openApi }, public: true };
  if (first !== 'me' || second !== 'notifications') return undefined;
  if (third === undefined) {
    return { methods: { GET: notifications.listNotifications, POST: notifications.createNotification } };
  }
  if (third === 'delta' && fourth === undefined) return { methods: { GET: notifications.notificationDelta } };
  if (third === 'subscriptions') {
    if (fourth === undefined) return { methods: { GET: subscriptions.listSubscriptions, POST: subscriptions.createSubscription } };
    return { methods: { DELETE: (e, s, c) => subscriptions.deleteSubscription(e, s, c, fourth) } };
  }
  if (fourth !== undefined) return undefined;
  return {
    methods: {
      GET: (e, s, c) => notifications.getNotification(e, s, c, third),
      PATCH: (e, s, c, l) => notifications.patchNotification(e, s, c, third, l),
      DELETE: (e, s, c) => notifications.deleteNotification(e, s, c, third),
    },
  };
}
