/**
 * Size and time limits of the contract. They keep a single notification small enough
 * for every push platform and keep hostile input from costing memory or time.
 */
export const contractLimits = {
  /** Longest `targetHostName`, as for a DNS name. */
  targetHostNameLength: 255,
  /** Longest `appNotificationId`. */
  appNotificationIdLength: 256,
  /** Longest `groupName`. */
  groupNameLength: 256,
  /** Longest visual title. */
  titleLength: 512,
  /** Longest visual body. */
  bodyLength: 4096,
  /** Longest raw content. */
  rawContentLength: 8192,
  /** Largest payload, in UTF-8 bytes of its JSON form. */
  payloadBytes: 16384,
  /** Longest `displayTimeToLive`, in seconds (30 days). */
  displayTimeToLiveSeconds: 2_592_000,
  /** Furthest `expirationDateTime`, in milliseconds from now (30 days). */
  maxExpirationMs: 30 * 24 * 60 * 60 * 1000,
  /** `expirationDateTime` when the request has none, in milliseconds from now (30 days). */
  defaultExpirationMs: 30 * 24 * 60 * 60 * 1000,
  /** Shortest raw-to-visual fallback delay, in seconds. */
  minFallbackDelaySeconds: 60,
  /** Longest raw-to-visual fallback delay, in seconds. */
  maxFallbackDelaySeconds: 600,
} as const;
