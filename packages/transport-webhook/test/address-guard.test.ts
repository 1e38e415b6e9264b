import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredNotification, TransportMessage } from '@herald/core';
import { createAddressGuard, createWebhookTransport, generateWebhookSecret } from '@herald/transport-webhook';
import { startReceiver, type Receiver } from './receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

const message = { deliveryId: 'd', attempt: 1, kind: 'notification', notification: { lastModifiedDateTime: 'x', createdDateTime: 'x' } as StoredNotification } as TransportMessage;
const context = () => ({ signal: new AbortController().signal, now: Date.now() });
const endpoint = (address: string) => ({ subscriptionId: 's', userId: 'u', targetHostName: 'a', platformType: 'webpush' as const, address, secret: generateWebhookSecret() });

describe('the address guard', () => {
  const guard = createAddressGuard();

  it.each([
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '192.0.2.1', '198.18.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', '2002:7f00:1::1', '2001:db8::1',
  ])('refuses %s by default', (address) => {
    expect(guard.refusal(address)).toMatch(/address \(/);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '172.32.0.1', '100.128.0.1'])('allows the public address %s', (address) => {
    expect(guard.refusal(address)).toBeUndefined();
  });

  it('allows listed networks, and everything when private networks are allowed', () => {
    const listed = createAddressGuard({ allowedNetworks: ['10.1.0.0/16', 'fd00::/8', '127.0.0.1'] });
    expect(listed.refusal('10.1.2.3')).toBeUndefined();
    expect(listed.refusal('10.2.0.1')).toBeDefined();
    expect(listed.refusal('fd00::5')).toBeUndefined();
    expect(listed.refusal('127.0.0.1')).toBeUndefined();
    expect(listed.refusal('127.0.0.2')).toBeDefined();
    expect(createAddressGuard({ allowPrivateNetworks: true }).refusal('127.0.0.1')).toBeUndefined();
  });
});

describe('the webhook transport’s guard', () => {
  const transport = createWebhookTransport({ timeoutMs: 2000 });

  it.each([
    ['a literal loopback address', () => receiver.url('/x')],
    ['an IPv6 loopback literal', () => receiver.url('/x').replace('127.0.0.1', '[::1]')],
    ['an IPv4-mapped IPv6 literal', () => receiver.url('/x').replace('127.0.0.1', '[::ffff:127.0.0.1]')],
    ['a decimal IPv4 literal', () => receiver.url('/x').replace('127.0.0.1', '2130706433')],
    ['a hostname that resolves to loopback', () => receiver.url('/x').replace('127.0.0.1', 'localhost')],
    ['a cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', () => 'http://10.0.0.1/hook'],
  ])('refuses %s permanently, before any request', async (_case, address) => {
    const before = receiver.received.length;
    await expect(transport.send(message, endpoint(address()), context())).rejects.toMatchObject({
      failure: 'permanent',
      message: expect.stringMatching(/refused to connect: .*(loopback|link-local|private)/),
    });
    expect(receiver.received).toHaveLength(before);
  });

  it('reaches loopback once it is allowed', async () => {
    const allowed = createWebhookTransport({ allowedNetworks: ['127.0.0.0/8', '::1'] });
    await expect(allowed.send(message, endpoint(receiver.url('/x').replace('127.0.0.1', 'localhost')), context())).resolves.toBeUndefined();
    await allowed.close?.();
  });
});
