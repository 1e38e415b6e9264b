/**
 * `checkEndpoint`, through a real service: `subscriptions.create` refuses an address or
 * secret the webhook transport could never use (INVALID_ENDPOINT, naming the field) and
 * stores nothing; good endpoints are stored. No request is made and no name is resolved.
 */
import { describe, expect, it } from 'vitest';
import { createNotificationService, HeraldError } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createWebhookTransport, generateWebhookSecret, type WebhookTransportOptions } from '@herald/transport-webhook';
import { useLoopbackOnly } from '@herald/testing';

useLoopbackOnly();

const secret = generateWebhookSecret();

function service(options: WebhookTransportOptions = {}) {
  return createNotificationService({ store: createMemoryStore(), transports: [createWebhookTransport(options)], dispatcher: { autoStart: false } });
}

/** Subscribes alice's endpoint at `address`; `null` for no secret. */
function subscribe(herald: ReturnType<typeof service>, address: string, endpointSecret: string | null = secret) {
  return herald.subscriptions.create('alice', {
    targetHostName: 'chat.example.com',
    platformType: 'webpush',
    transport: 'webhook',
    address,
    ...(endpointSecret === null ? {} : { secret: endpointSecret }),
  });
}

async function refusal(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    return error as HeraldError;
  }
  throw new Error('accepted');
}

describe('the webhook transport’s endpoint check', () => {
  it.each([
    ['not a URL', 'push.example.com/herald', /address: .* is not an absolute URL/],
    ['a relative path', '/herald', /address: .* is not an absolute URL/],
    ['another scheme', 'ftp://push.example.com/herald', /address: only http and https URLs are allowed, not ftp:/],
    ['a file URL', 'file:///etc/passwd', /address: only http and https/],
    ['credentials', 'https://user:pass@push.example.com/herald', /address: credentials in the URL are not allowed/],
    ['loopback', 'http://127.0.0.1:8080/herald', /address: 127\.0\.0\.1 is a loopback address/],
    ['a decimal loopback', 'http://2130706433/herald', /address: 127\.0\.0\.1 is a loopback address/],
    ['IPv6 loopback', 'http://[::1]/herald', /address: ::1 is a loopback address/],
    ['::127.0.0.1', 'http://[::127.0.0.1]/herald', /address: ::7f00:1 is an IPv4-compatible address.*embedding 127\.0\.0\.1/],
    ['::ffff:0:a9fe:a9fe', 'http://[::ffff:0:a9fe:a9fe]/', /address: .*embedding 169\.254\.169\.254/],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', /address: 169\.254\.169\.254 is a link-local address/],
    ['a private address', 'https://10.1.2.3/herald', /address: 10\.1\.2\.3 is a private address/],
    ['RFC 9637 documentation', 'https://[3fff::1]/herald', /address: 3fff::1 is a reserved address/],
    ['SRv6', 'https://[5f00::1]/herald', /address: 5f00::1 is an SRv6/],
    ['localhost', 'http://localhost:3000/herald', /address: localhost names a loopback address \(RFC 6761\)/],
    ['a .localhost name', 'http://app.localhost/herald', /address: app\.localhost names a loopback address/],
  ])('refuses %s as the address', async (_case, address, message) => {
    const herald = service();
    const error = await refusal(subscribe(herald, address));
    expect(error.code).toBe('INVALID_ENDPOINT');
    expect(error.message).toMatch(message);
    expect(await herald.subscriptions.list('alice')).toEqual([]);
    await herald.close();
  });

  it.each([
    ['no secret', null, /secret: the endpoint has no signing secret/],
    ['a blank secret', '   ', /secret: the endpoint has no signing secret/],
    ['a secret that is not base64', 'whsec_not base64!', /secret: a signing secret must be "whsec_" followed by base64/],
    ['a short secret', `whsec_${Buffer.alloc(8).toString('base64')}`, /secret: a signing secret must hold 24 to 64 bytes; this one holds 8/],
    ['a long secret', `whsec_${Buffer.alloc(65).toString('base64')}`, /secret: a signing secret must hold 24 to 64 bytes; this one holds 65/],
    ['one bad secret of a rotating pair', `${generateWebhookSecret()} whsec_short`, /secret: a signing secret must/],
  ])('refuses %s', async (_case, endpointSecret, message) => {
    const herald = service();
    const error = await refusal(subscribe(herald, 'https://push.example.com/herald', endpointSecret));
    expect(error.code).toBe('INVALID_ENDPOINT');
    expect(error.message).toMatch(message);
    expect(await herald.subscriptions.list('alice')).toEqual([]);
    await herald.close();
  });

  it.each([
    ['a public host name (judged by DNS at each connection, not now)', 'https://push.example.com/herald'],
    ['a name that may resolve anywhere', 'http://internal.example.test:8080/hooks?x=1'],
    ['a public IPv4 address', 'https://93.184.215.14/herald'],
    ['a public IPv6 address', 'https://[2606:4700:4700::1111]/herald'],
  ])('accepts %s', async (_case, address) => {
    const herald = service();
    const subscription = await subscribe(herald, address);
    expect(subscription).toMatchObject({ address, secret });
    expect(await herald.subscriptions.list('alice')).toHaveLength(1);
    await herald.close();
  });

  it('accepts a rotating pair of secrets', async () => {
    const herald = service();
    await expect(subscribe(herald, 'https://push.example.com/herald', `${generateWebhookSecret()} ${secret}`)).resolves.toMatchObject({ transport: 'webhook' });
    await herald.close();
  });

  it('accepts addresses the operator allowed', async () => {
    const herald = service({ allowedNetworks: ['10.0.0.0/8', '127.0.0.0/8'] });
    await expect(subscribe(herald, 'https://10.1.2.3/herald')).resolves.toMatchObject({ address: 'https://10.1.2.3/herald' });
    await expect(subscribe(herald, 'http://localhost:3000/herald')).resolves.toMatchObject({ address: 'http://localhost:3000/herald' });
    await expect(subscribe(herald, 'http://[::1]/herald')).rejects.toMatchObject({ code: 'INVALID_ENDPOINT' });
    await herald.close();
    const open = service({ allowPrivateNetworks: true });
    await expect(subscribe(open, 'http://169.254.169.254/')).resolves.toMatchObject({ transport: 'webhook' });
    await open.close();
  });

  it('leaves the secret to a secrets resolver when one is given', async () => {
    const herald = service({ secrets: () => secret });
    await expect(subscribe(herald, 'https://push.example.com/herald', null)).resolves.toMatchObject({ transport: 'webhook' });
    await expect(subscribe(herald, 'https://push.example.com/herald', 'vault:key-17')).resolves.toMatchObject({ secret: 'vault:key-17' });
    await expect(subscribe(herald, 'http://127.0.0.1/')).rejects.toMatchObject({ code: 'INVALID_ENDPOINT' });
    await herald.close();
  });
});
