/**
 * `checkEndpoint`, through a real service: `subscriptions.create` refuses a Web Push
 * address the transport could never use (INVALID_ENDPOINT, naming the field) and stores
 * nothing; a browser's PushSubscription is stored. No request is made.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNotificationService, HeraldError } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { useLoopbackOnly } from '@herald/testing';
import { createWebPushTransport, generateVapidKeys, type WebPushTransportOptions } from '@herald/transport-webpush';

useLoopbackOnly();

const vapid = { subject: 'https://chat.example.com/contact', ...generateVapidKeys() };
const browserKey = createECDH('prime256v1').generateKeys();
/**
 * A browser key whose standard base64 has a character base64url lacks ('+' or '/'): about
 * one random key in sixteen has none, and then its standard base64 is valid base64url.
 */
const standardBase64Key = (() => {
  for (;;) {
    const key = createECDH('prime256v1').generateKeys().toString('base64');
    if (/[+/]/.test(key)) return key;
  }
})();
const p256dh = browserKey.toString('base64url');
const auth = randomBytes(16).toString('base64url');
const endpoint = 'https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b';

function service(options: Partial<WebPushTransportOptions> = {}) {
  return createNotificationService({ store: createMemoryStore(), transports: [createWebPushTransport({ vapid, ...options })], dispatcher: { autoStart: false } });
}

function subscribe(herald: ReturnType<typeof service>, address: string) {
  return herald.subscriptions.create('alice', { targetHostName: 'chat.example.com', platformType: 'webpush', transport: 'webpush', address });
}

const json = (value: unknown) => JSON.stringify(value);
const at = (url: string) => json({ endpoint: url, expirationTime: null, keys: { p256dh, auth } });
const withKeys = (keys: unknown) => json({ endpoint, keys });

describe('the Web Push transport’s endpoint check', () => {
  it.each([
    ['not JSON', 'https://fcm.googleapis.com/fcm/send/x', /address: not JSON; give the browser’s PushSubscription as JSON/],
    ['a JSON array', json([endpoint]), /address: not a JSON object/],
    ['no endpoint', json({ keys: { p256dh, auth } }), /address: endpoint must be a string/],
    ['a relative endpoint', at('/push/1'), /address: endpoint "\/push\/1" is not an absolute URL/],
    ['an http endpoint', at('http://push.example.com/1'), /address: endpoint must be an https URL \(RFC 8030\), not http:/],
    ['credentials', at('https://user:pw@push.example.com/1'), /address: endpoint must not carry credentials/],
    ['loopback', at('https://127.0.0.1:8443/push/1'), /address: endpoint: 127\.0\.0\.1 is a loopback address/],
    ['IPv6 loopback', at('https://[::1]/push/1'), /address: endpoint: ::1 is a loopback address/],
    ['a private address', at('https://10.1.2.3/push/1'), /address: endpoint: 10\.1\.2\.3 is a private address/],
    ['cloud metadata', at('https://169.254.169.254/latest'), /link-local/],
    ['localhost', at('https://localhost/push/1'), /localhost names a loopback address/],
    ['no keys', json({ endpoint }), /address: keys is missing/],
    ['no p256dh', withKeys({ auth }), /address: keys\.p256dh must be base64url text of 65 bytes, got undefined/],
    ['a short p256dh', withKeys({ p256dh: p256dh.slice(0, 80), auth }), /keys\.p256dh must be 65 bytes \(an uncompressed P-256 public key\), got 60/],
    ['a compressed p256dh', withKeys({ p256dh: Buffer.concat([Buffer.from([2]), browserKey.subarray(1, 33), Buffer.alloc(32)]).toString('base64url'), auth }), /keys\.p256dh must be an uncompressed P-256 point/],
    ['a p256dh off the curve', withKeys({ p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url'), auth }), /keys\.p256dh is not a point on the P-256 curve/],
    ['standard base64 in p256dh', withKeys({ p256dh: standardBase64Key, auth }), /keys\.p256dh must be base64url|keys\.p256dh must be 65 bytes/],
    ['no auth', withKeys({ p256dh }), /keys\.auth must be base64url text of 16 bytes/],
    ['a 15-byte auth', withKeys({ p256dh, auth: randomBytes(15).toString('base64url') }), /keys\.auth must be 16 bytes \(the authentication secret\), got 15/],
    ['a 32-byte auth', withKeys({ p256dh, auth: randomBytes(32).toString('base64url') }), /keys\.auth must be 16 bytes/],
    ['an auth with a stray character', withKeys({ p256dh, auth: `${auth.slice(0, 21)}!` }), /keys\.auth must be base64url/],
  ])('refuses %s', async (_case, address, message) => {
    const herald = service();
    const error = await subscribe(herald, address).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(HeraldError);
    expect(error).toMatchObject({ code: 'INVALID_ENDPOINT' });
    expect((error as Error).message).toMatch(/^\[herald\] \[transport-webpush\] address: /);
    expect((error as Error).message).toMatch(message);
    expect(await herald.subscriptions.list('alice')).toHaveLength(0);
    await herald.close();
  });

  it.each([
    ['a browser’s PushSubscription JSON', at(endpoint)],
    ['keys with base64 padding', withKeys({ p256dh: `${p256dh}=`, auth: `${auth}==` })],
    ['an endpoint on a listed network', at('https://10.1.2.3/push/1'), { allowedNetworks: ['10.1.0.0/16'] }],
  ] as const)('stores %s', async (_case, address, options: Partial<WebPushTransportOptions> = {}) => {
    const herald = service(options);
    const subscription = await subscribe(herald, address);
    expect(subscription.address).toBe(address);
    await herald.close();
  });
});
