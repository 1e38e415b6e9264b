export { createWebhookTransport, defaultWebhookRetry, NAME, type WebhookTransportOptions, type WebhookBody, type WebhookSyncBody, SYNC_EVENT_TYPE, type SecretResolver } from './webhook-transport.js';
export { verifyWebhook, WebhookVerificationError, webhookVerificationCodes, type WebhookVerificationCode, type VerifyOptions, type VerifiedWebhook, type WebhookHeaders } from './verify.js';
export { generateWebhookSecret, secretKey, WebhookSecretError, secretPrefix } from './secret.js';
// Core's HTTP-transport kit, re-exported as this package has always offered them.
export { createAddressGuard, parseRetryAfter, maxRetryAfterSeconds, type AddressGuard, type AddressGuardOptions } from '@herald/core/transport';
