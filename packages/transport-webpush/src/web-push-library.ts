/**
 * The `web-push` package (CommonJS, its members assigned from an object, so Node's ESM
 * loader cannot name them): loaded with `require`, typed by `@types/web-push`'s
 * declarations of the three functions used.
 */
import { createRequire } from 'node:module';

/** The request `generateRequestDetails` builds: headers and the encrypted body. */
interface PushRequestDetails {
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body: Buffer | null;
}

/** The parts of `web-push` this transport uses. */
export interface WebPushLibrary {
  generateRequestDetails(
    subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
    payload: string | Buffer,
    options: { vapidDetails: null; TTL: number; urgency: 'high' | 'normal' | 'low'; topic?: string; contentEncoding: 'aes128gcm' },
  ): PushRequestDetails;
  getVapidHeaders(audience: string, subject: string, publicKey: string, privateKey: string, contentEncoding: 'aes128gcm', expiration?: number): { Authorization: string };
  generateVAPIDKeys(): { publicKey: string; privateKey: string };
}

export const webPush = createRequire(import.meta.url)('web-push') as WebPushLibrary;
