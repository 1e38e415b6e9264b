export { createWebPushTransport, maxMessageBytes, NAME } from './webpush-transport.js';
export type { WebPushTransportOptions } from './webpush-options.js';
export { generateVapidKeys, type VapidDetails } from './vapid.js';
export { syncTimeToLiveSeconds, type WebPushBody, type WebPushSyncBody } from './push-message.js';
export type { PushSubscriptionJSON } from './push-subscription.js';
