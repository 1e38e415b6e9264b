/**
 * The route table: which path answers which methods, and with what.
 */
import { HeraldError, type NotificationService } from '@herald/core';
import type { Exchange, HttpCaller } from './exchange.js';
import * as explain from './explain-routes.js';
import * as notifications from './notification-routes.js';
import * as preferences from './preference-routes.js';
import type { BodyLimits } from './request-body.js';
import * as subscriptions from './subscription-routes.js';

/** A route's work for one method. */
export type Action = (exchange: Exchange, service: NotificationService, caller: HttpCaller, limits: BodyLimits) => Promise<void>;

/** The methods of one path; `public` paths need no authentication. */
export interface Route {
  readonly methods: Readonly<Record<string, Action>>;
  readonly public?: boolean;
}

/** A fixed segment's name, or `undefined` when it is not percent-encoded UTF-8 (no name matches). */
function nameOf(segment: string | undefined): string | undefined {
  // Without a `%` there is nothing to decode: skip the call on every request's path.
  if (segment === undefined || !segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * An id from the path. One that is not percent-encoded UTF-8 (a lone surrogate's bytes,
 * a cut escape) names nothing Herald could have issued: a 400, as a body with such text is.
 */
function idOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new HeraldError('INVALID_ARGUMENT', 'the id in the path is not percent-encoded UTF-8 text', { cause: error });
  }
}

// The routes without an id in their path, made once rather than for every request.
const notificationsRoute: Route = { methods: { GET: notifications.listNotifications, POST: notifications.createNotification } };
const deltaRoute: Route = { methods: { GET: notifications.notificationDelta } };
const subscriptionsRoute: Route = { methods: { GET: subscriptions.listSubscriptions, POST: subscriptions.createSubscription } };

/** Finds the route of a path (segments below the mount point, still percent-encoded), or `undefined`. */
export function routeOf(segments: readonly string[], openApi: Action, feedStream: Action): Route | undefined {
  // Names are compared decoded; how many segments there are decides the shape of the path.
  // Read by index, not by mapping and destructuring the array: this runs on every request.
  const count = segments.length;
  const first = nameOf(segments[0]);
  const second = nameOf(segments[1]);
  const third = nameOf(segments[2]);
  const fourth = nameOf(segments[3]);
  const thirdId = segments[2] ?? '';
  const fourthId = segments[3] ?? '';
  if (count === 1 && first === 'openapi.json') return { methods: { GET: openApi }, public: true };
  if (count < 2 || count > 4 || first !== 'me' || second !== 'notifications') return undefined;
  if (count === 2) return notificationsRoute;
  if (count === 3 && third === 'delta') return deltaRoute;
  if (count === 3 && third === 'stream') return { methods: { GET: feedStream } };
  // Names Herald never issues as notification ids (ids are random), so no id is shadowed.
  if (count === 3 && third === 'preferences') return { methods: { GET: preferences.getPreferences, PATCH: preferences.patchPreferences } };
  if (count === 3 && third === 'explain') return { methods: { POST: explain.explainSend } };
  if (third === 'subscriptions') {
    if (count === 3) return subscriptionsRoute;
    return { methods: { DELETE: (e, s, c) => subscriptions.deleteSubscription(e, s, c, idOf(fourthId)) } };
  }
  if (count === 4) return fourth === 'explain' ? { methods: { GET: (e, s, c) => explain.explainNotification(e, s, c, idOf(thirdId)) } } : undefined;
  return {
    methods: {
      GET: (e, s, c) => notifications.getNotification(e, s, c, idOf(thirdId)),
      PATCH: (e, s, c, l) => notifications.patchNotification(e, s, c, idOf(thirdId), l),
      DELETE: (e, s, c) => notifications.deleteNotification(e, s, c, idOf(thirdId)),
    },
  };
}
