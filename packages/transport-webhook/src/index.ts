export { createWebhookTransport, defaultWebhookRetry, NAME, type WebhookTransportOptions, type WebhookBody, type SecretResolver } from './webhook-transport.js';
export { verifyWebhook, WebhookVerificationError, webhookVerificationCodes, type WebhookVerificationCode, type VerifyOptions, type VerifiedWebhook, type WebhookHeaders } from './verify.js';
export { generateWebhookSecret, secretKey, WebhookSecretError, secretPrefix } from './secret.js';
export { createAddressGuard, type AddressGuard, type AddressGuardOptions } from './address-guard.js';
export { parseRetryAfter, maxRetryAfterSeconds } from './retry-after.js';
