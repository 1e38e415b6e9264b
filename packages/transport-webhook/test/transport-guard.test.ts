/**
 * The guard inside the webhook transport: literal addresses are refused before any
 * connection, host names after DNS on every connection. The loopback-only connect hook
 * is installed here, so even a guard that let one through could not send a packet off
 * this host: the test would fail on the hook's error instead.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredNotification } from '@herald/core';
import type { TransportMessage } from '@herald/core/transport';
import { createAddressGuard, createWebhookTransport, generateWebhookSecret } from '@herald/transport-webhook';
import { createConnections, RefusedAddressError } from '@herald/core/transport';
import { loopbackOnlyInstalled, useLoopbackOnly } from '@herald/testing';
import { startReceiver, type Receiver } from './receiver.js';

useLoopbackOnly();
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
/** The receiver's URL with another host in place of 127.0.0.1 (same port). */
const at = (host: string) => () => receiver.url('/x').replace('127.0.0.1', host);

describe('the webhook transport’s guard', () => {
  const transport = createWebhookTransport({ timeoutMs: 2000 });
  afterAll(() => transport.close?.());

  it('runs with the loopback-only connect hook in place', () => {
    expect(loopbackOnlyInstalled()).toBe(true);
  });

  it.each([
    ['a literal loopback address', () => receiver.url('/x'), /loopback/],
    ['an IPv6 loopback literal', at('[::1]'), /loopback/],
    ['an IPv4-mapped IPv6 literal', at('[::ffff:127.0.0.1]'), /IPv4-mapped.*embedding 127\.0\.0\.1/],
    ['an IPv4-compatible literal (::127.0.0.1)', at('[::127.0.0.1]'), /IPv4-compatible.*embedding 127\.0\.0\.1/],
    ['an IPv4-compatible metadata literal', at('[::a9fe:a9fe]'), /IPv4-compatible.*embedding 169\.254\.169\.254/],
    ['an IPv4-translated literal', at('[::ffff:0:7f00:1]'), /IPv4-translated.*embedding 127\.0\.0\.1/],
    ['an IPv4-translated metadata literal', at('[::ffff:0:a9fe:a9fe]'), /IPv4-translated.*embedding 169\.254\.169\.254/],
    ['a NAT64 literal', at('[64:ff9b::a9fe:a9fe]'), /NAT64.*embedding 169\.254\.169\.254/],
    ['a 6to4 literal', at('[2002:7f00:1::1]'), /6to4.*embedding 127\.0\.0\.1/],
    ['an RFC 9637 documentation literal', at('[3fff::1]'), /3fff::\/20/],
    ['an SRv6 literal', at('[5f00::1]'), /SRv6/],
    ['a decimal IPv4 literal', at('2130706433'), /loopback/],
    ['a hostname that resolves to loopback', at('localhost'), /localhost resolves where no request may go: .*loopback/],
    ['a cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /link-local/],
    ['a private address', () => 'http://10.0.0.1/hook', /private/],
  ])('refuses %s permanently, before any request', async (_case, address, reason) => {
    const before = receiver.received.length;
    const refusal = transport.send(message, endpoint(address()), context());
    await expect(refusal).rejects.toMatchObject({ failure: 'permanent', message: expect.stringMatching(/^refused to connect: /) });
    await expect(refusal).rejects.toMatchObject({ message: expect.stringMatching(reason) });
    expect(receiver.received).toHaveLength(before);
  });

  it('reaches loopback once it is allowed', async () => {
    const allowed = createWebhookTransport({ allowedNetworks: ['127.0.0.0/8', '::1'] });
    await expect(allowed.send(message, endpoint(at('localhost')()), context())).resolves.toBeUndefined();
    await allowed.close?.();
  });
});

describe('the guard’s DNS step', () => {
  /** The connections' lookup, over a resolver that answers `addresses` for every name. */
  function lookupWith(addresses: string[], all: boolean): Promise<unknown> {
    const resolve = ((_name: string, _options: object, callback: (error: null, answer: LookupAddress[]) => void) =>
      callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))) as never;
    const connections = createConnections(createAddressGuard(), { maxSockets: 1, resolve });
    return new Promise((done) => connections.lookup('hooks.example.test', { all }, (error, address) => done(error ?? address)));
  }

  it.each([['::7f00:1'], ['::ffff:0:a9fe:a9fe'], ['3fff::1'], ['5f00::1'], ['93.184.215.14', '10.0.0.1'], ['2606:4700:4700::1111', '64:ff9b::a00:1']])(
    'refuses a name that resolves to %s (or to it among others)',
    async (...addresses) => {
      for (const all of [false, true]) {
        const answer = await lookupWith(addresses, all);
        expect(answer).toBeInstanceOf(RefusedAddressError);
        expect((answer as Error).message).toContain('hooks.example.test resolves where no request may go');
      }
    },
  );

  it('passes a name that resolves to public addresses on', async () => {
    expect(await lookupWith(['93.184.215.14', '2606:4700:4700::1111'], false)).toBe('93.184.215.14');
    expect(await lookupWith(['93.184.215.14', '2606:4700:4700::1111'], true)).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
  });
});
