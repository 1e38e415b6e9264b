/**
 * The notification contract's TypeScript types. They mirror `notificationSchema`
 * (see `schema.ts`), which is the single source of truth for what is accepted.
 */

/** The platforms an endpoint can be on; names are accepted in any case and stored lower-case. */
export const platformTypes = ['windows', 'ios', 'android', 'webpush'] as const;
/** A platform an endpoint can be on. */
export type PlatformType = (typeof platformTypes)[number];

/** Priorities of a raw notification, spelled as the contract spells them. */
export const priorities = ['None', 'High', 'Low'] as const;
/** The priority of a raw notification. */
export type Priority = (typeof priorities)[number];

/** Whether the user has read a notification. */
export const readStates = ['unread', 'read'] as const;
/** Whether the user has read a notification. */
export type ReadState = (typeof readStates)[number];

/** What the user did with a notification. */
export const userActionStates = ['noInteraction', 'activated', 'dismissed', 'snoozed'] as const;
/** What the user did with a notification. */
export type UserActionState = (typeof userActionStates)[number];

/** The visible part of a notification: a title, a body, or both. */
export interface VisualContent {
  /** The title shown to the user. */
  title?: string;
  /** The body shown to the user. */
  body?: string;
}

/** The content of a notification: visual, raw (for the app client to interpret), or both. */
export interface NotificationPayload {
  /** Content the platform shows as a toast. */
  visualContent?: VisualContent;
  /** Data the app client receives and interprets itself. */
  rawContent?: string;
}

/** Which kinds of endpoint a notification goes to. */
export interface TargetPolicy {
  /** Platforms to deliver to; all platforms when absent. */
  platformTypes?: PlatformType[];
}

/** Raw-to-visual fallback for endpoints that do not pick up a raw notification in time. */
export interface EndpointFallback {
  /** Platforms the fallback applies to; each must also be targeted. */
  platformTypes: PlatformType[];
  /** Seconds to wait for the raw notification to be acknowledged (60–600). */
  fallbackDelayInSeconds: number;
  /** The visual notification sent as the fallback (the payload's visual content when absent). */
  visualContent?: VisualContent;
}

/** The contract's fallback policy. */
export interface FallbackPolicy {
  /** The endpoint-level fallback. */
  endpointFallback: EndpointFallback;
}

/**
 * A notification as an app server sends it: the request body of `POST /me/notifications`.
 * Platform names may be in any case and `displayTimeToLive` may be a string of digits,
 * as in the reference's example; {@link NotificationContent} is the normalized form.
 */
export interface NotificationRequest {
  /** The app the notification is for; endpoints of this app receive it. */
  targetHostName: string;
  /** The app's own id for the notification; sending it again updates the notification. */
  appNotificationId: string;
  /** What the notification says. */
  payload: NotificationPayload;
  /** When the notification leaves the feed (ISO 8601, at most 30 days ahead). */
  expirationDateTime?: string;
  /** Which platforms receive it. */
  targetPolicy?: { platformTypes?: string[] };
  /** Priority of a raw notification. */
  priority?: Priority;
  /** A group the app uses to gather notifications (and to delete them together). */
  groupName?: string;
  /** Seconds the platform keeps the toast on screen or in its action center. */
  displayTimeToLive?: number | string;
  /** Raw-to-visual fallback. */
  fallbackPolicy?: {
    endpointFallback: {
      platformTypes: string[];
      fallbackDelayInSeconds: number;
      visualContent?: VisualContent;
    };
  };
}

/** A validated, normalized notification: what Herald stores as the notification's content. */
export interface NotificationContent {
  /** The app the notification is for. */
  targetHostName: string;
  /** The app's own id for the notification. */
  appNotificationId: string;
  /** What the notification says. */
  payload: NotificationPayload;
  /** When the notification leaves the feed, as an ISO 8601 UTC string. */
  expirationDateTime: string;
  /** Which platforms receive it (lower-case, without duplicates). */
  targetPolicy?: TargetPolicy;
  /** Priority of a raw notification. */
  priority?: Priority;
  /** The app's group for this notification. */
  groupName?: string;
  /** Seconds the platform keeps the toast. */
  displayTimeToLive?: number;
  /** Raw-to-visual fallback. */
  fallbackPolicy?: FallbackPolicy;
}
